#include "model_library/model_library.h"

#include "core/log.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace lamp::app {

namespace {

QString localPath(const QString& pathOrUrl) {
    const QUrl url(pathOrUrl);
    return url.isLocalFile() ? url.toLocalFile() : pathOrUrl;
}

} // namespace

ModelLibrary::ModelLibrary(QObject* parent) : QObject(parent), folder_(defaultFolder()) {}

ModelLibrary::~ModelLibrary() = default;

QString ModelLibrary::defaultFolder() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/models");
}

void ModelLibrary::setFolder(const QString& folder) {
    const QString chosen = folder.isEmpty() ? defaultFolder() : QDir::cleanPath(localPath(folder));
    if (chosen != folder_) {
        folder_ = chosen;
        Q_EMIT folderChanged();
    }
    rescan();
}

void ModelLibrary::setContextLength(qint64 tokens) {
    tokens = std::max<qint64>(tokens, 0);
    if (tokens == contextLength_)
        return;
    contextLength_ = tokens;
    models_.setContext(contextLength_);
    Q_EMIT contextLengthChanged();
}

QList<ModelEntry> ModelLibrary::scanFolder(const QString& folder, qint64 contextLength) {
    QList<ModelEntry> entries;
    const QDir dir(folder);
    // Symbolic links count (addModelFile makes them); a dangling one is listed with its reason.
    const QStringList files = dir.entryList({QStringLiteral("*.gguf")}, QDir::Files | QDir::System, QDir::Name);
    for (const QString& file : files) {
        const QString path = dir.filePath(file);
        if (QFileInfo(path).isSymLink() && !QFileInfo::exists(path)) {
            ModelEntry broken;
            broken.path = path;
            broken.fileName = file;
            broken.name = QFileInfo(file).completeBaseName();
            broken.error = QObject::tr("this link points to %1, which no longer exists: add the model again or "
                                       "delete the link").arg(QFileInfo(path).symLinkTarget());
            entries.append(broken);
            continue;
        }
        entries.append(scanModelFile(path, contextLength));
    }
    return entries;
}

void ModelLibrary::rescan() {
    const quint64 generation = ++scanGeneration_;
    setScanning(true);
    auto* watcher = new QFutureWatcher<QList<ModelEntry>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != scanGeneration_)
            return;  // a newer scan (another folder, a file just added) is running
        models_.setEntries(watcher->result());
        models_.setContext(contextLength_);  // the context may have changed while the scan ran
        models_.applyLoadErrors(loadErrors_);
        setScanning(false);
        Q_EMIT scanFinished();
    });
    watcher->setFuture(QtConcurrent::run(&ModelLibrary::scanFolder, folder_, contextLength_));
}

AddResult ModelLibrary::addFile(const QString& source, const QString& folder, bool link) {
    AddResult r;
    const QFileInfo from(source);
    if (!from.exists()) {
        r.error = tr("%1 does not exist: choose the model file again.").arg(source);
        return r;
    }
    if (!from.isFile()) {
        r.error = tr("%1 is not a file: choose a .gguf model file.").arg(source);
        return r;
    }
    if (!from.fileName().endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) {
        r.error = tr("%1 is not a GGUF model (the name does not end in .gguf): choose a .gguf file.")
                      .arg(from.fileName());
        return r;
    }
    const ModelEntry checked = scanModelFile(from.absoluteFilePath(), 0);
    if (!checked.ok()) {
        r.error = tr("%1 was not added: %2").arg(from.fileName(), checked.error);
        return r;
    }
    const QDir dir(folder);
    const QString target = dir.filePath(from.fileName());
    const QFileInfo to(target);
    if (to.exists() || to.isSymLink()) {
        r.error = to.canonicalFilePath() == from.canonicalFilePath()
                      ? tr("%1 is already in the models folder.").arg(from.fileName())
                      : tr("A file named %1 is already in the models folder (%2): to add this one as well, "
                           "rename it first.")
                            .arg(from.fileName(), folder);
        return r;
    }
    if (!QDir().mkpath(folder)) {
        r.error = tr("The models folder %1 could not be created: check its permissions or choose another "
                     "folder.").arg(folder);
        return r;
    }
    if (link) {
        QFile file(from.absoluteFilePath());
        if (!file.link(target)) {
            r.error = tr("Could not link %1 into %2: %3.").arg(from.fileName(), folder, file.errorString());
            return r;
        }
    } else {
        // Copied under another name and renamed when complete, so a scan never lists half a file
        // and a failed copy (a full disk) leaves nothing behind.
        const QString part = target + QStringLiteral(".part");
        QFile::remove(part);
        QFile file(from.absoluteFilePath());
        if (!file.copy(part)) {
            r.error = tr("Could not copy %1 into %2: %3 (is the disk full?).")
                          .arg(from.fileName(), folder, file.errorString());
            QFile::remove(part);
            return r;
        }
        QFile copied(part);
        if (!copied.rename(target)) {
            r.error = tr("Could not rename %1 to %2: %3.").arg(part, target, copied.errorString());
            QFile::remove(part);
            return r;
        }
    }
    r.path = target;
    return r;
}

void ModelLibrary::addModelFile(const QString& pathOrUrl, bool link) {
    setAdding(true);
    auto* watcher = new QFutureWatcher<AddResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        const AddResult r = watcher->result();
        setAdding(false);
        if (!r.error.isEmpty()) {
            log::get("app")->warn("adding a model: {}", r.error.toStdString());
            setLastError(r.error);
            Q_EMIT addFailed(r.error);
            return;
        }
        setLastError({});
        rescan();
        Q_EMIT modelAdded(r.path);
    });
    watcher->setFuture(QtConcurrent::run(&ModelLibrary::addFile, localPath(pathOrUrl), folder_, link));
}

void ModelLibrary::clearError() { setLastError({}); }

void ModelLibrary::noteLoadFailure(const QString& path, const QString& message) {
    const QString canonical = QFileInfo(path).canonicalFilePath();
    if (canonical.isEmpty())
        return;
    loadErrors_.insert(canonical, message);
    models_.applyLoadErrors(loadErrors_);
}

void ModelLibrary::setCurrentModelPath(const QString& path) {
    if (!path.isEmpty())
        loadErrors_.remove(QFileInfo(path).canonicalFilePath());  // it loads now
    models_.setCurrentPath(path);  // also after a rescan: the rows may be new
    if (path == currentModelPath_)
        return;
    currentModelPath_ = path;
    Q_EMIT currentModelPathChanged();
}

void ModelLibrary::setScanning(bool on) {
    if (on == scanning_)
        return;
    scanning_ = on;
    Q_EMIT scanningChanged();
}

void ModelLibrary::setAdding(bool on) {
    if (on == adding_)
        return;
    adding_ = on;
    Q_EMIT addingChanged();
}

void ModelLibrary::setLastError(const QString& message) {
    if (message == lastError_)
        return;
    lastError_ = message;
    Q_EMIT lastErrorChanged();
}

} // namespace lamp::app
