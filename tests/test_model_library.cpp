// The model picker's C++ side (app/model_library/): what it reads from GGUF files, checked against
// numbers worked out by hand from the shared models' documented shapes (../shared/models/README.md)
// and the block sizes of their formats; the memory estimate's KV cache against what a real Session
// allocates; bad files listed with their reason; adding files by copy and by link; and that changing
// the model keeps the conversation and evaluates it again on the new one.
#include "support/shared_data.h"
#include "support/tiny_models.h"

#include "model/model.h"
#include "model/session.h"
#include "model_library/model_library.h"
#include "ui_models/app_controller.h"

#include <QCryptographicHash>
#include <QFile>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

Q_IMPORT_QML_PLUGIN(LamplightPlugin)

using namespace lamp;
using namespace lamp::app;

namespace {

QByteArray sha256(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result();
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), bytes.size());
}

QStringList g_qmlWarnings;
QtMessageHandler g_previous = nullptr;

void collectQmlWarnings(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    const QString file = QString::fromLatin1(context.file ? context.file : "");
    if (type != QtDebugMsg && type != QtInfoMsg && (file.endsWith(QLatin1String(".qml")) || message.contains(QLatin1String(".qml"))))
        g_qmlWarnings << message;
    if (g_previous)
        g_previous(type, context, message);
}

// The picker row (a ModelPickerRow) showing `fileName`, or null. Delegates are found through the
// visual tree: a view's delegates are not its QObject children.
QQuickItem* pickerRow(QQuickItem* item, const QString& fileName) {
    if (item->property("fileName").toString() == fileName && item->property("usable").isValid())
        return item;
    for (QQuickItem* child : item->childItems())
        if (QQuickItem* found = pickerRow(child, fileName))
            return found;
    return nullptr;
}

QString sharedModel(const std::filesystem::path& shared, const char* file) {
    return QString::fromStdString((shared / "models" / file).string());
}

} // namespace

class TestModelLibrary : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        // QSettings and the app data folder go to a test location, never the user's.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("LamplightTest"));
        QCoreApplication::setApplicationName(QStringLiteral("test_model_library"));
        QQuickStyle::setStyle(QStringLiteral("Basic"));
    }

    // stories260K (README: width 64, 5 layers, 8 heads / 4 KV heads, FFN 172, vocab 512, F32, untied):
    // embeddings 512·64 twice, per layer q 64·64, k and v 64·32, o 64·64, three FFN matrices 64·172
    // and two norms of 64, plus the output norm.
    void describesStories260K() {
        LAMP_REQUIRE_SHARED(shared);
        const QString path = sharedModel(shared, "stories260K.gguf");
        const ModelEntry e = scanModelFile(path, 0);
        QVERIFY2(e.ok(), qPrintable(e.error));
        const qint64 perLayer = 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 172 + 2 * 64;
        const qint64 parameters = 2 * 512 * 64 + 5 * perLayer + 64;
        QCOMPARE(e.parameterCount, parameters);  // 292,800
        QCOMPARE(e.architecture, QStringLiteral("llama"));
        QCOMPARE(e.quantization, QStringLiteral("F32"));
        QCOMPARE(e.quantizationMix, QStringLiteral("F32 100%"));
        QCOMPARE(e.weightBytes, parameters * 4);
        QCOMPARE(e.fileSize, QFileInfo(path).size());
        QCOMPARE(e.fileName, QStringLiteral("stories260K.gguf"));
        QCOMPARE(e.trainingContext, 2048);
        // Context: the model's 2048 (under the 4096 default limit). KV cache: 5 layers × 2048 positions
        // × 4 KV heads × (8 + 8) F16 values.
        QCOMPARE(e.contextUsed, 2048);
        QCOMPARE(e.kvCacheBytes, qint64{5} * 2048 * 4 * 16 * 2);
        QVERIFY(e.memoryBytes > e.weightBytes + e.kvCacheBytes);
        QVERIFY(e.memoryBytes < 2 * (e.weightBytes + e.kvCacheBytes));
    }

    // tiny-llama-q4_k_m (README: width 256, 2 layers, 4/2 heads, FFN 768, vocab 512, untied; Q4_K with
    // Q6_K for output and some attn_v/ffn_down): 1,836,288 parameters of which the output (131,072),
    // one ffn_down (196,608) and one attn_v (32,768) are Q6_K (210 bytes per 256), the five norms F32
    // (1,280), the rest Q4_K (144 bytes per 256).
    void describesAQuantizationMix() {
        LAMP_REQUIRE_SHARED(shared);
        const ModelEntry e = scanModelFile(sharedModel(shared, "tiny-llama-q4_k_m.gguf"), 0);
        QVERIFY2(e.ok(), qPrintable(e.error));
        QCOMPARE(e.parameterCount, 1836288);
        const qint64 q6 = 131072 + 196608 + 32768;
        const qint64 f32 = 5 * 256;
        const qint64 q4 = 1836288 - q6 - f32;
        const qint64 bytes = q4 / 256 * 144 + q6 / 256 * 210 + f32 * 4;
        QCOMPARE(e.weightBytes, bytes);
        QCOMPARE(e.quantization, QStringLiteral("Q4_K"));
        // 829,440 / 1,130,240 = 73.4%, 295,680 / 1,130,240 = 26.2%, F32 0.45% is under 1%.
        QCOMPARE(e.quantizationMix, QStringLiteral("Q4_K 73%, Q6_K 26%"));
        QCOMPARE(e.trainingContext, 512);
    }

    // The estimate's KV cache is what the engine really allocates for that context.
    void kvEstimateMatchesARealSession() {
        LAMP_REQUIRE_SHARED(shared);
        const QString path = sharedModel(shared, "tiny-qwen2-q8_0.gguf");
        const auto model = Model::load(path.toStdString());
        for (const int64_t context : {0, 128, 300}) {
            const ModelEntry e = scanModelFile(path, context);
            QVERIFY2(e.ok(), qPrintable(e.error));
            SessionOptions options;
            options.contextLength = context;
            options.threads = 1;
            const Session session(*model, options);
            QCOMPARE(e.contextUsed, session.contextLength());
            QCOMPARE(e.kvCacheBytes, static_cast<qint64>(session.kvBytes()));
        }
    }

    void badFilesSayWhy() {
        LAMP_REQUIRE_SHARED(shared);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QFile source(sharedModel(shared, "stories260K.gguf"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        writeFile(dir.filePath(QStringLiteral("truncated.gguf")), source.read(4000));
        writeFile(dir.filePath(QStringLiteral("notes.gguf")), "these are not the weights you are looking for\n");
        writeFile(dir.filePath(QStringLiteral("ignored.txt")), "not a .gguf name: not listed");
        QVERIFY(QFile::copy(sharedModel(shared, "vocab/ggml-vocab-falcon.gguf"), dir.filePath(QStringLiteral("falcon.gguf"))));
        QVERIFY(QFile::link(dir.filePath(QStringLiteral("gone.bin")), dir.filePath(QStringLiteral("dangling.gguf"))));
        QVERIFY(QFile::copy(source.fileName(), dir.filePath(QStringLiteral("good.gguf"))));
        QVERIFY(QFile::copy(sharedModel(shared, "vocab/ggml-vocab-llama-spm.gguf"), dir.filePath(QStringLiteral("vocab.gguf"))));

        const QList<ModelEntry> entries = ModelLibrary::scanFolder(dir.path(), 0);
        QCOMPARE(entries.size(), 6);
        QHash<QString, ModelEntry> byFile;
        for (const auto& e : entries)
            byFile.insert(e.fileName, e);
        QVERIFY(byFile.value(QStringLiteral("good.gguf")).ok());
        for (const char* bad : {"truncated.gguf", "notes.gguf", "falcon.gguf", "dangling.gguf", "vocab.gguf"}) {
            const ModelEntry e = byFile.value(QString::fromLatin1(bad));
            QVERIFY2(!e.ok(), bad);
            QCOMPARE(e.memoryBytes, 0);
        }
        // The reasons name the file and the problem.
        QVERIFY2(byFile.value(QStringLiteral("truncated.gguf")).error.contains(QStringLiteral("truncated.gguf")),
                 qPrintable(byFile.value(QStringLiteral("truncated.gguf")).error));
        QVERIFY2(byFile.value(QStringLiteral("notes.gguf")).error.contains(QStringLiteral("GGUF")),
                 qPrintable(byFile.value(QStringLiteral("notes.gguf")).error));
        QVERIFY2(byFile.value(QStringLiteral("falcon.gguf")).error.contains(QStringLiteral("falcon")),
                 qPrintable(byFile.value(QStringLiteral("falcon.gguf")).error));
        QCOMPARE(byFile.value(QStringLiteral("falcon.gguf")).architecture, QStringLiteral("falcon"));
        QVERIFY2(byFile.value(QStringLiteral("vocab.gguf")).error.contains(QStringLiteral("no tensors")),
                 qPrintable(byFile.value(QStringLiteral("vocab.gguf")).error));
        QVERIFY2(byFile.value(QStringLiteral("dangling.gguf")).error.contains(QStringLiteral("gone.bin")),
                 qPrintable(byFile.value(QStringLiteral("dangling.gguf")).error));
    }

    void addsByCopyAndByLink() {
        LAMP_REQUIRE_SHARED(shared);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString folder = dir.filePath(QStringLiteral("models/nested"));  // created on demand
        const QString source = sharedModel(shared, "stories260K.gguf");

        const AddResult copied = ModelLibrary::addFile(source, folder, false);
        QVERIFY2(copied.error.isEmpty(), qPrintable(copied.error));
        QCOMPARE(copied.path, folder + QStringLiteral("/stories260K.gguf"));
        QVERIFY(!QFileInfo(copied.path).isSymLink());
        QCOMPARE(sha256(copied.path), sha256(source));
        QVERIFY(!QFile::exists(copied.path + QStringLiteral(".part")));

        const AddResult again = ModelLibrary::addFile(source, folder, false);
        QVERIFY(again.path.isEmpty());
        QVERIFY2(again.error.contains(QStringLiteral("already")), qPrintable(again.error));

        const QString other = sharedModel(shared, "tiny-llama-q8_0.gguf");
        const AddResult linked = ModelLibrary::addFile(other, folder, true);
        QVERIFY2(linked.error.isEmpty(), qPrintable(linked.error));
        QVERIFY(QFileInfo(linked.path).isSymLink());
        QCOMPARE(QFileInfo(linked.path).canonicalFilePath(), QFileInfo(other).canonicalFilePath());

        // A bad file is refused with its reason and leaves nothing behind.
        const QString broken = dir.filePath(QStringLiteral("broken.gguf"));
        writeFile(broken, QByteArray("GGUF\x03\x00\x00\x00", 8));
        const AddResult refused = ModelLibrary::addFile(broken, folder, false);
        QVERIFY2(refused.error.contains(QStringLiteral("broken.gguf")), qPrintable(refused.error));
        QVERIFY(!QFile::exists(folder + QStringLiteral("/broken.gguf")));
        QVERIFY(!QFile::exists(folder + QStringLiteral("/broken.gguf.part")));
        const AddResult missing = ModelLibrary::addFile(dir.filePath(QStringLiteral("nope.gguf")), folder, false);
        QVERIFY2(missing.error.contains(QStringLiteral("does not exist")), qPrintable(missing.error));
        const AddResult notGguf = ModelLibrary::addFile(dir.filePath(QStringLiteral("models")), folder, false);
        QVERIFY2(!notGguf.error.isEmpty(), "a folder is not a model");

        QCOMPARE(ModelLibrary::scanFolder(folder, 0).size(), 2);
    }

    // A file whose metadata reads but whose weights do not (a tensor renamed away) lists as usable
    // until loading it fails; then its row says why, also after a rescan.
    void loadFailureShowsInTheList() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("no-output-norm.gguf"));
        test::tinyLlamaModel().write(path.toStdString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray bytes = file.readAll();
        file.close();
        QVERIFY(bytes.contains("output_norm.weight"));
        bytes.replace("output_norm.weight", "output_norx.weight");
        writeFile(path, bytes);
        QVERIFY(scanModelFile(path, 0).ok());

        AppOptions options;
        options.historyPath = dir.filePath(QStringLiteral("history.sqlite"));
        options.modelsFolder = dir.path();
        options.modelPath = dir.filePath(QStringLiteral("none-yet.gguf"));
        AppController app(options);
        ModelLibrary* library = app.modelLibrary();
        QTRY_VERIFY_WITH_TIMEOUT(!app.generation()->loading(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(library->models()->count(), 1, 10000);
        const QModelIndex row = library->models()->index(0);
        QVERIFY(library->models()->data(row, ModelListModel::UsableRole).toBool());

        QSignalSpy failed(app.generation(), &GenerationController::modelLoadFailed);
        app.loadModel(path);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY(!library->models()->data(row, ModelListModel::UsableRole).toBool());
        QVERIFY2(library->models()->data(row, ModelListModel::ErrorRole).toString().contains(QStringLiteral("output_norm")),
                 qPrintable(library->models()->data(row, ModelListModel::ErrorRole).toString()));
        QSignalSpy scanned(library, &ModelLibrary::scanFinished);
        library->rescan();
        QVERIFY(scanned.wait(10000));
        QVERIFY(!library->models()->data(library->models()->index(0), ModelListModel::UsableRole).toBool());
    }

    // The QObject side: scans off the GUI thread into the list model, adds through a file: URL, and
    // estimates again when the context changes.
    void libraryListsAddsAndEstimates() {
        LAMP_REQUIRE_SHARED(shared);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ModelLibrary library;
        QSignalSpy scanned(&library, &ModelLibrary::scanFinished);
        library.setFolder(dir.path());
        QVERIFY(scanned.wait(10000));
        QCOMPARE(library.models()->count(), 0);

        QSignalSpy added(&library, &ModelLibrary::modelAdded);
        QSignalSpy failed(&library, &ModelLibrary::addFailed);
        library.addModelFile(QUrl::fromLocalFile(sharedModel(shared, "stories260K.gguf")).toString());
        QVERIFY(library.adding());
        QTRY_COMPARE_WITH_TIMEOUT(added.count(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(library.models()->count(), 1, 10000);
        QVERIFY(!library.adding());
        QCOMPARE(failed.count(), 0);

        ModelListModel* models = library.models();
        const QModelIndex row = models->index(0);
        QCOMPARE(models->data(row, ModelListModel::NameRole).toString(), QStringLiteral("llama"));  // general.name
        QCOMPARE(models->data(row, ModelListModel::ParametersRole).toString(), QStringLiteral("292.80K"));
        QCOMPARE(models->data(row, ModelListModel::QuantizationRole).toString(), QStringLiteral("F32"));
        QCOMPARE(models->data(row, ModelListModel::UsableRole).toBool(), true);
        QCOMPARE(models->data(row, ModelListModel::ContextRole).toLongLong(), 2048);
        const qint64 kv2048 = qint64{5} * 2048 * 4 * 16 * 2;
        const qint64 before = models->data(row, ModelListModel::MemoryBytesRole).toLongLong();
        QCOMPARE(models->rowOf(dir.filePath(QStringLiteral("stories260K.gguf"))), 0);
        QVERIFY(!models->data(row, ModelListModel::MemoryRole).toString().isEmpty());

        QSignalSpy changed(models, &QAbstractItemModel::dataChanged);
        library.setContextLength(512);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(models->data(row, ModelListModel::ContextRole).toLongLong(), 512);
        // A quarter of the positions: three quarters of the KV cache less.
        QCOMPARE(before - models->data(row, ModelListModel::MemoryBytesRole).toLongLong(), kv2048 / 4 * 3);

        library.addModelFile(sharedModel(shared, "stories260K.gguf"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QVERIFY2(library.lastError().contains(QStringLiteral("already")), qPrintable(library.lastError()));
    }

    // Choosing another model keeps the open conversation; the next answer evaluates the whole
    // conversation on the new model (nothing of the old model's KV cache is reused).
    void changingTheModelKeepsTheConversation() {
        LAMP_REQUIRE_SHARED(shared);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        AppOptions options;
        options.historyPath = dir.filePath(QStringLiteral("history.sqlite"));
        options.modelsFolder = dir.path();
        options.modelPath = sharedModel(shared, "stories260K.gguf");
        AppController app(options);
        GenerationController* generation = app.generation();
        QTRY_VERIFY_WITH_TIMEOUT(generation->modelLoaded(), 30000);
        app.setMaxAnswerTokens(8);

        QSignalSpy results(generation, &GenerationController::generationFinished);
        QVERIFY(app.sendMessage(QStringLiteral("Once upon a time")));
        QTRY_COMPARE_WITH_TIMEOUT(results.count(), 1, 30000);
        const qint64 conversation = app.currentConversationId();
        QVERIFY(conversation != 0);

        const QString next = sharedModel(shared, "tiny-llama-q8_0.gguf");  // the same vocabulary
        app.loadModel(QUrl::fromLocalFile(next).toString());
        QTRY_VERIFY_WITH_TIMEOUT(!generation->loading() && generation->modelPath() == next, 30000);
        QVERIFY(generation->modelLoaded());
        QCOMPARE(app.currentConversationId(), conversation);
        QCOMPARE(app.messages()->count(), 2);

        QVERIFY(app.sendMessage(QStringLiteral("Tell me more")));
        // The loaded model also prepares the open conversation (a prompt-only request that ends
        // with its own generationFinished) and that may end before or after the answer: the
        // answers are counted apart. (Counting every signal, the test once saw the answer end
        // within one poll of the preparation and waited for a count that had gone past.)
        const auto answers = [&results] {
            QList<GenerationResult> out;
            for (const QList<QVariant>& args : results)
                if (const auto r = args.at(0).value<GenerationResult>(); !r.promptOnly)
                    out.append(r);
            return out;
        };
        QTRY_COMPARE_WITH_TIMEOUT(answers().size(), 2, 30000);
        const GenerationResult second = answers().at(1);
        QCOMPARE(second.conversationId, QString::number(conversation));
        QVERIFY2(second.error.isEmpty(), qPrintable(second.error));
        // The first evaluation on the new model (the preparation or the answer) took the whole
        // conversation: nothing of the old model's cache.
        const auto firstOnNewModel = results.at(1).at(0).value<GenerationResult>();
        QCOMPARE(firstOnNewModel.conversationId, QString::number(conversation));
        QVERIFY(firstOnNewModel.promptTokens > 0);
        QCOMPARE(firstOnNewModel.promptTokensReused, 0);
        QCOMPARE(firstOnNewModel.promptTokensEvaluated, firstOnNewModel.promptTokens);
        QTRY_COMPARE_WITH_TIMEOUT(app.messages()->count(), 4, 5000);
        QCOMPARE(app.messages()->textAt(0), QStringLiteral("Once upon a time"));
        QCOMPARE(app.messages()->textAt(2), QStringLiteral("Tell me more"));
    }

    // The picker in the real window: it lists the folder (the loaded model marked, a bad file with its
    // reason), and a click on another model's row loads that model.
    void pickerListsAndLoadsOnClick() {
        LAMP_REQUIRE_SHARED(shared);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString models = dir.filePath(QStringLiteral("models"));
        QVERIFY(QDir().mkpath(models));
        QVERIFY(QFile::link(sharedModel(shared, "stories260K.gguf"), models + QStringLiteral("/stories260K.gguf")));
        QVERIFY(QFile::link(sharedModel(shared, "tiny-qwen2-q4_k_m.gguf"), models + QStringLiteral("/qwen.gguf")));
        writeFile(models + QStringLiteral("/broken.gguf"), "GGUF");

        g_qmlWarnings.clear();
        g_previous = qInstallMessageHandler(collectQmlWarnings);
        {
            AppOptions options;
            options.historyPath = dir.filePath(QStringLiteral("history.sqlite"));
            options.modelsFolder = models;
            options.modelPath = sharedModel(shared, "stories260K.gguf");
            AppController app(options);
            AppController::provideInstance(&app);
            QQmlApplicationEngine engine;
            engine.load(QUrl(QStringLiteral("qrc:/Lamplight/Main.qml")));
            QCOMPARE(engine.rootObjects().size(), 1);
            auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
            QVERIFY(window);
            QVERIFY(QTest::qWaitForWindowExposed(window));
            QTRY_VERIFY_WITH_TIMEOUT(app.generation()->modelLoaded(), 30000);

            QVERIFY(QMetaObject::invokeMethod(window, "openPanel", Q_ARG(QVariant, QStringLiteral("models"))));
            auto* list = window->findChild<QQuickItem*>(QStringLiteral("modelList"));
            QVERIFY(list);
            // Opening rescans the folder (which rebuilds the rows): wait for that, and the open transition.
            QTRY_VERIFY_WITH_TIMEOUT(!app.modelLibrary()->scanning(), 10000);
            QTest::qWait(300);
            QTRY_COMPARE_WITH_TIMEOUT(list->property("count").toInt(), 3, 10000);
            QTRY_VERIFY_WITH_TIMEOUT(pickerRow(list, QStringLiteral("qwen.gguf")) != nullptr, 5000);
            QQuickItem* stories = pickerRow(list, QStringLiteral("stories260K.gguf"));
            QQuickItem* qwen = pickerRow(list, QStringLiteral("qwen.gguf"));
            QQuickItem* broken = pickerRow(list, QStringLiteral("broken.gguf"));
            QVERIFY(stories && qwen && broken);
            QCOMPARE(stories->property("current").toBool(), true);  // through the link
            QCOMPARE(qwen->property("current").toBool(), false);
            QCOMPARE(broken->property("usable").toBool(), false);
            QVERIFY(broken->property("error").toString().contains(QStringLiteral("broken.gguf")));

            const QPoint centre = qwen->mapToScene(QPointF(qwen->width() / 2, qwen->height() / 2)).toPoint();
            QTest::mouseClick(window, Qt::LeftButton, Qt::NoModifier, centre);
            QTRY_VERIFY_WITH_TIMEOUT(app.generation()->modelLoaded() &&
                                         QFileInfo(app.generation()->modelPath()).canonicalFilePath() ==
                                             QFileInfo(sharedModel(shared, "tiny-qwen2-q4_k_m.gguf")).canonicalFilePath(),
                                     30000);
            QTRY_VERIFY_WITH_TIMEOUT(app.modelLibrary()->models()->data(app.modelLibrary()->models()->index(
                                         app.modelLibrary()->models()->rowOf(models + QStringLiteral("/qwen.gguf"))),
                                         ModelListModel::CurrentRole).toBool(), 5000);
            AppController::provideInstance(nullptr);
        }
        qInstallMessageHandler(g_previous);
        QVERIFY2(g_qmlWarnings.isEmpty(), qPrintable(g_qmlWarnings.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestModelLibrary)
#include "test_model_library.moc"
