// The models folder as the picker sees it: scans it on a pool thread (QtConcurrent; only GGUF metadata
// and tensor infos are read, so a folder of large files scans in well under a second), fills a
// ModelListModel, and adds model files to it by copying or symlinking, also off the GUI thread.
//
// Threads: the object lives on the GUI thread; each scan or add runs as a QtConcurrent task that
// captures only values and hands back its result through a QFutureWatcher. A scan started while
// another runs supersedes it (the older result is dropped), so the list always shows the newest one.
#pragma once

#include "model_library/model_list_model.h"

#include <QFutureWatcher>
#include <QHash>
#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace lamp::app {

// The outcome of adding one file: the path in the models folder, or why it was not added.
struct AddResult {
    QString path;
    QString error;
};

class ModelLibrary : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("owned by AppController")
    Q_PROPERTY(QString folder READ folder WRITE setFolder NOTIFY folderChanged)
    Q_PROPERTY(qint64 contextLength READ contextLength WRITE setContextLength NOTIFY contextLengthChanged)
    Q_PROPERTY(lamp::app::ModelListModel* models READ models CONSTANT)
    Q_PROPERTY(bool scanning READ scanning NOTIFY scanningChanged)
    Q_PROPERTY(bool adding READ adding NOTIFY addingChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    // The loaded model ("" = none): its row is marked current.
    Q_PROPERTY(QString currentModelPath READ currentModelPath WRITE setCurrentModelPath NOTIFY currentModelPathChanged)

public:
    explicit ModelLibrary(QObject* parent = nullptr);
    ~ModelLibrary() override;

    // <AppDataLocation>/models: where models live unless the user picks another folder.
    static QString defaultFolder();

    QString folder() const { return folder_; }
    // Shows `folder` (a path or file: URL; "" means defaultFolder()) and scans it, also when it is the
    // folder shown already.
    void setFolder(const QString& folder);
    // The context the memory estimates are for; 0 = each model's training context, at most the
    // engine's default limit (as a new conversation gets).
    qint64 contextLength() const { return contextLength_; }
    void setContextLength(qint64 tokens);
    ModelListModel* models() { return &models_; }
    bool scanning() const { return scanning_; }
    bool adding() const { return adding_; }
    QString lastError() const { return lastError_; }
    QString currentModelPath() const { return currentModelPath_; }
    void setCurrentModelPath(const QString& path);

    // Reads the folder again (the folder need not exist: then the list is empty).
    Q_INVOKABLE void rescan();
    // Puts a GGUF file (a path or a file: URL) into the folder: a copy, or a symbolic link when
    // `link` is true. The file is checked first; modelAdded() or addFailed() tells how it went.
    Q_INVOKABLE void addModelFile(const QString& pathOrUrl, bool link = false);
    Q_INVOKABLE void clearError();
    // A model failed to load (GenerationController::modelLoadFailed): its row shows why, also after
    // rescans, until it loads.
    void noteLoadFailure(const QString& path, const QString& message);

    // What addModelFile() does on its pool thread, callable directly (tests): checks `source`, then
    // copies (through a ".part" file, renamed when complete) or links it into `folder`.
    static AddResult addFile(const QString& source, const QString& folder, bool link);
    // What rescan() does on its pool thread: every *.gguf file in `folder`, described.
    static QList<ModelEntry> scanFolder(const QString& folder, qint64 contextLength);

Q_SIGNALS:
    void folderChanged();
    void contextLengthChanged();
    void scanningChanged();
    void addingChanged();
    void lastErrorChanged();
    void currentModelPathChanged();
    // A scan finished and the list shows it.
    void scanFinished();
    void modelAdded(const QString& path);
    void addFailed(const QString& message);

private:
    void setScanning(bool on);
    void setAdding(bool on);
    void setLastError(const QString& message);

    QString folder_;
    qint64 contextLength_ = 0;
    ModelListModel models_;
    bool scanning_ = false;
    bool adding_ = false;
    QString lastError_;
    QString currentModelPath_;
    QHash<QString, QString> loadErrors_;  // canonical path → why it did not load
    quint64 scanGeneration_ = 0;  // results of older scans are dropped
};

} // namespace lamp::app
