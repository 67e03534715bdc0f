// The model picker's list: one row per GGUF file in the models folder, with the columns people
// compare (name, architecture, parameters, quantization, file size, context, memory needed) and, for
// a file that cannot be used, the reason. Filled by ModelLibrary on the GUI thread.
#pragma once

#include "model_library/model_scan.h"

#include <QAbstractListModel>
#include <QList>
#include <QtQml/qqmlregistration.h>

namespace lamp::app {

class ModelListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("owned by ModelLibrary")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    enum Roles {
        PathRole = Qt::UserRole + 1, // absolute path
        FileNameRole,                // "model.gguf"
        NameRole,                    // general.name, else the file name without .gguf
        ArchitectureRole,            // "llama"
        ParametersRole,              // "1.10B" ("" when unknown)
        ParameterCountRole,          // qint64
        QuantizationRole,            // "Q4_K"
        QuantizationMixRole,         // "Q4_K 71%, Q6_K 21%, F32 8%"
        FileSizeRole,                // "637.8 MiB"
        FileSizeBytesRole,           // qint64
        TrainingContextRole,         // qint64, 0 when unknown
        ContextRole,                 // qint64: the context the memory estimate is for
        MemoryRole,                  // "702.1 MiB" ("" for a file that cannot be used)
        MemoryBytesRole,             // qint64
        ErrorRole,                   // why the file cannot be used; "" when it can
        UsableRole,                  // bool: error is empty
        CurrentRole,                 // bool: this file is the loaded model (links resolved)
    };

    explicit ModelListModel(QObject* parent = nullptr);

    // Replaces every row (sorted by name, then file name).
    void setEntries(QList<ModelEntry> entries);
    // Estimates every usable row again for `requestedContext` (no file is read).
    void setContext(int64_t requestedContext);
    const QList<ModelEntry>& entries() const { return entries_; }
    // Marks the rows of files that failed to load (canonical path → the loader's message) as unusable
    // with that reason: the metadata can read fine while a tensor is missing or damaged.
    void applyLoadErrors(const QHash<QString, QString>& errors);
    // The loaded model's path ("" = none), for CurrentRole.
    void setCurrentPath(const QString& path);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return static_cast<int>(entries_.size()); }
    // The row showing `path` (-1 when none).
    Q_INVOKABLE int rowOf(const QString& path) const;

Q_SIGNALS:
    void countChanged();

private:
    QList<ModelEntry> entries_;
    QString currentCanonical_;
};

// "1.10B", "637.8 MiB" as the picker shows them.
QString humanParameterCount(qint64 n);
QString humanByteSize(qint64 n);

} // namespace lamp::app
