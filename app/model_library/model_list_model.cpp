#include "model_library/model_list_model.h"

#include "gguf/model_info.h"

#include <QFileInfo>

#include <algorithm>

namespace lamp::app {

QString humanParameterCount(qint64 n) {
    return n > 0 ? QString::fromStdString(humanCount(static_cast<uint64_t>(n))) : QString{};
}

QString humanByteSize(qint64 n) {
    return n > 0 ? QString::fromStdString(humanBytes(static_cast<uint64_t>(n))) : QString{};
}

ModelListModel::ModelListModel(QObject* parent) : QAbstractListModel(parent) {}

void ModelListModel::setEntries(QList<ModelEntry> entries) {
    std::stable_sort(entries.begin(), entries.end(), [](const ModelEntry& a, const ModelEntry& b) {
        const int byName = a.name.compare(b.name, Qt::CaseInsensitive);
        return byName != 0 ? byName < 0 : a.fileName < b.fileName;
    });
    const bool countChanges = entries.size() != entries_.size();
    beginResetModel();
    entries_ = std::move(entries);
    endResetModel();
    if (countChanges)
        Q_EMIT countChanged();
}

void ModelListModel::setContext(int64_t requestedContext) {
    for (ModelEntry& e : entries_)
        estimateFor(e, requestedContext);
    if (!entries_.isEmpty())
        Q_EMIT dataChanged(index(0), index(count() - 1), {ContextRole, MemoryRole, MemoryBytesRole});
}

void ModelListModel::applyLoadErrors(const QHash<QString, QString>& errors) {
    for (int row = 0; row < count(); ++row) {
        ModelEntry& e = entries_[row];
        const auto it = errors.find(e.canonicalPath);
        if (it == errors.end() || !e.ok())
            continue;
        e.error = *it;
        e.memoryBytes = 0;
        Q_EMIT dataChanged(index(row), index(row), {ErrorRole, UsableRole, MemoryRole, MemoryBytesRole});
    }
}

void ModelListModel::setCurrentPath(const QString& path) {
    const QString canonical = path.isEmpty() ? QString{} : QFileInfo(path).canonicalFilePath();
    if (canonical == currentCanonical_)
        return;
    currentCanonical_ = canonical;
    if (!entries_.isEmpty())
        Q_EMIT dataChanged(index(0), index(count() - 1), {CurrentRole});
}

int ModelListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : count(); }

QVariant ModelListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() < 0 || index.row() >= count())
        return {};
    const ModelEntry& e = entries_.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return e.name;
    case PathRole: return e.path;
    case FileNameRole: return e.fileName;
    case ArchitectureRole: return e.architecture;
    case ParametersRole: return humanParameterCount(e.parameterCount);
    case ParameterCountRole: return e.parameterCount;
    case QuantizationRole: return e.quantization;
    case QuantizationMixRole: return e.quantizationMix;
    case FileSizeRole: return humanByteSize(e.fileSize);
    case FileSizeBytesRole: return e.fileSize;
    case TrainingContextRole: return e.trainingContext;
    case ContextRole: return e.contextUsed;
    case MemoryRole: return humanByteSize(e.memoryBytes);
    case MemoryBytesRole: return e.memoryBytes;
    case ErrorRole: return e.error;
    case UsableRole: return e.ok();
    case CurrentRole: return !e.canonicalPath.isEmpty() && e.canonicalPath == currentCanonical_;
    default: return {};
    }
}

QHash<int, QByteArray> ModelListModel::roleNames() const {
    return {
        {PathRole, "path"},
        {FileNameRole, "fileName"},
        {NameRole, "name"},
        {ArchitectureRole, "architecture"},
        {ParametersRole, "parameters"},
        {ParameterCountRole, "parameterCount"},
        {QuantizationRole, "quantization"},
        {QuantizationMixRole, "quantizationMix"},
        {FileSizeRole, "fileSize"},
        {FileSizeBytesRole, "fileSizeBytes"},
        {TrainingContextRole, "trainingContext"},
        {ContextRole, "context"},
        {MemoryRole, "memory"},
        {MemoryBytesRole, "memoryBytes"},
        {ErrorRole, "error"},
        {UsableRole, "usable"},
        {CurrentRole, "current"},
    };
}

int ModelListModel::rowOf(const QString& path) const {
    for (int i = 0; i < count(); ++i)
        if (entries_.at(i).path == path)
            return i;
    return -1;
}

} // namespace lamp::app
