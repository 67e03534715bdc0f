// The splitter that lets answers show code blocks with a copy button (app/ui_models/markdown_segments.h).
// Checked two ways: hand-written expectations for the cases the chat meets (streaming, nesting in
// lists, tildes, longer fences), and Qt's own markdown parser (md4c inside QTextDocument) as an
// independent judge of where fenced code blocks start and end and what they hold.
#include "ui_models/markdown_segments.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QTextBlock>
#include <QTextDocument>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

Q_IMPORT_QML_PLUGIN(LamplightPlugin)

using namespace lamp::app;

namespace {

using Kind = MarkdownSegment::Kind;

MarkdownSegment prose(const QString& text) { return {Kind::Prose, text, {}, true}; }
MarkdownSegment code(const QString& text, const QString& language = {}, bool closed = true) {
    return {Kind::Code, text, language, closed};
}

QString describe(const QList<MarkdownSegment>& segments) {
    QStringList parts;
    for (const auto& s : segments)
        parts << QStringLiteral("%1[%2%3]{%4}")
                     .arg(s.kind == Kind::Code ? QStringLiteral("code") : QStringLiteral("prose"), s.language,
                          s.closed ? QString{} : QStringLiteral(", open"), s.text);
    return parts.join(QLatin1Char(' '));
}

// The fenced code blocks as Qt's markdown reader sees them: consecutive blocks that carry the
// code-fence property form one code block; their text, joined by newlines, is the block's content.
QStringList qtCodeBlocks(const QString& markdown) {
    QTextDocument doc;
    doc.setMarkdown(markdown);
    QStringList blocks;
    bool inCode = false;
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next()) {
        const bool isCode = b.blockFormat().hasProperty(QTextFormat::BlockCodeFence);
        if (isCode && !inCode)
            blocks << b.text();
        else if (isCode)
            blocks.last() += QLatin1Char('\n') + b.text();
        inCode = isCode;
    }
    return blocks;
}

// Every item under `item` in the visual tree (a Repeater's delegates are not its QObject children).
void collect(QQuickItem* item, QList<QQuickItem*>& out) {
    out.append(item);
    for (QQuickItem* child : item->childItems())
        collect(child, out);
}

} // namespace

class TestMarkdownSegments : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void handWritten_data() {
        QTest::addColumn<QString>("markdown");
        QTest::addColumn<QList<MarkdownSegment>>("expected");

        QTest::newRow("prose only") << QStringLiteral("# Title\n\nSome *text*.\n")
                                    << QList{prose(QStringLiteral("# Title\n\nSome *text*."))};
        QTest::newRow("empty") << QString{} << QList<MarkdownSegment>{};
        QTest::newRow("code between prose")
            << QStringLiteral("Try this:\n\n```python\nprint('hi')\n\nx = 1\n```\n\nDone.")
            << QList{prose(QStringLiteral("Try this:")), code(QStringLiteral("print('hi')\n\nx = 1"), QStringLiteral("python")),
                     prose(QStringLiteral("Done."))};
        QTest::newRow("info string: first word is the language")
            << QStringLiteral("```c++ title=\"a.cpp\"\nint a;\n```")
            << QList{code(QStringLiteral("int a;"), QStringLiteral("c++"))};
        QTest::newRow("tildes, and backticks inside")
            << QStringLiteral("~~~\n```\nnot a fence here\n~~~")
            << QList{code(QStringLiteral("```\nnot a fence here"))};
        QTest::newRow("a shorter fence does not close a longer one")
            << QStringLiteral("````md\n```js\nx\n```\n````\nafter")
            << QList{code(QStringLiteral("```js\nx\n```"), QStringLiteral("md")), prose(QStringLiteral("after"))};
        QTest::newRow("closing fence with text after it is content")
            << QStringLiteral("```\na\n``` not closing\n```")
            << QList{code(QStringLiteral("a\n``` not closing"))};
        QTest::newRow("inline backticks are not a fence")
            << QStringLiteral("```a`b``` is inline code.")
            << QList{prose(QStringLiteral("```a`b``` is inline code."))};
        QTest::newRow("two backticks are not a fence")
            << QStringLiteral("``\ncode?\n``") << QList{prose(QStringLiteral("``\ncode?\n``"))};
        QTest::newRow("streaming: an open block runs to the end")
            << QStringLiteral("Here:\n```bash\nls -l\nec")
            << QList{prose(QStringLiteral("Here:")), code(QStringLiteral("ls -l\nec"), QStringLiteral("bash"), false)};
        QTest::newRow("streaming: the fence line itself")
            << QStringLiteral("Here:\n```") << QList{prose(QStringLiteral("Here:")), code({}, {}, false)};
        QTest::newRow("nested in a list item: indentation removed")
            << QStringLiteral("1. Install:\n\n    ```sh\n    apt install x\n      --yes\n    ```\n2. Run it.")
            << QList{prose(QStringLiteral("1. Install:")), code(QStringLiteral("apt install x\n  --yes"), QStringLiteral("sh")),
                     prose(QStringLiteral("2. Run it."))};
        QTest::newRow("CRLF line ends")
            << QStringLiteral("a\r\n```\r\nb\r\n```\r\n") << QList{prose(QStringLiteral("a")), code(QStringLiteral("b"))};
        QTest::newRow("empty block") << QStringLiteral("```\n```") << QList{code({})};
    }
    void handWritten() {
        QFETCH(QString, markdown);
        QFETCH(QList<MarkdownSegment>, expected);
        const auto actual = splitMarkdown(markdown);
        QVERIFY2(actual == expected, qPrintable(QStringLiteral("\n got      %1\n expected %2")
                                                    .arg(describe(actual), describe(expected))));
    }

    // Top-level fences (CommonMark's rules, which md4c implements): our code segments are exactly the
    // code blocks Qt's reader finds, with the same content.
    void agreesWithQtMarkdown_data() {
        QTest::addColumn<QString>("markdown");
        QTest::newRow("one block") << QStringLiteral("Intro\n\n```cpp\nint main() {\n    return 0;\n}\n```\n\nEnd.");
        QTest::newRow("two blocks and a table")
            << QStringLiteral("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nfirst\n```\n\ntext\n\n~~~python\nsecond\n  indented\n~~~\n");
        QTest::newRow("longer fences") << QStringLiteral("`````\n```\ninner\n```\n`````\n");
        QTest::newRow("not closed by text after") << QStringLiteral("```\nline\n```x\nmore\n```\n");
        QTest::newRow("heading and list around")
            << QStringLiteral("## Steps\n\n- one\n- two\n\n```json\n{\"a\": 1}\n```\n\n1. done\n");
    }
    void agreesWithQtMarkdown() {
        QFETCH(QString, markdown);
        QStringList ours;
        for (const auto& s : splitMarkdown(markdown))
            if (s.kind == Kind::Code)
                ours << s.text;
        QCOMPARE(ours, qtCodeBlocks(markdown));
    }

    // The QML side: MarkdownMessage shows the prose as markdown and the code in a CodeBlock whose copy
    // button puts exactly the code on the clipboard; a segment added while streaming keeps the
    // earlier delegates (they are updated, not rebuilt).
    void messageRendersCodeBlocksWithCopy() {
        QQuickStyle::setStyle(QStringLiteral("Basic"));
        QQmlEngine engine;
        engine.addImportPath(QStringLiteral("qrc:/"));  // Qt 6.4 puts the module under qrc:/Lamplight
        QQmlComponent component(&engine);
        component.setData("import QtQuick\nimport Lamplight\nMarkdownMessage { width: 600 }", QUrl());
        std::unique_ptr<QObject> object(component.create());
        QVERIFY2(object, qPrintable(component.errorString()));
        auto* message = qobject_cast<QQuickItem*>(object.get());
        QVERIFY(message);
        message->setProperty("text", QStringLiteral("# Title\n\nRun this:\n\n```sh\necho hi\nls\n```\nafter"));

        QList<QQuickItem*> items;
        collect(message, items);
        QQuickItem* copy = nullptr;
        QQuickItem* firstProse = nullptr;
        QStringList codes;
        for (QQuickItem* item : items) {
            if (item->objectName() == QLatin1String("copyCodeButton"))
                copy = item;
            if (item->property("code").isValid())
                codes << item->property("code").toString();
            if (!firstProse && item->property("textFormat").isValid() && item->property("text").toString().contains(QStringLiteral("Title")))
                firstProse = item;
        }
        QCOMPARE(codes, QStringList{QStringLiteral("echo hi\nls")});
        QVERIFY(copy);
        QVERIFY(firstProse);
        QGuiApplication::clipboard()->setText(QStringLiteral("before"));
        QVERIFY(QMetaObject::invokeMethod(copy, "clicked"));
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("echo hi\nls"));

        // More text arrives: a new segment; the first prose delegate is the same object.
        const QPointer<QQuickItem> kept(firstProse);
        message->setProperty("text", message->property("text").toString() + QStringLiteral("\n```py\nprint(1)"));
        items.clear();
        collect(message, items);
        codes.clear();
        for (QQuickItem* item : items)
            if (item->property("code").isValid())
                codes << item->property("code").toString();
        QCOMPARE(codes, (QStringList{QStringLiteral("echo hi\nls"), QStringLiteral("print(1)")}));
        QVERIFY(kept);
        QVERIFY(items.contains(kept.data()));
    }

    void qmlViewHasTheFields() {
        const Markdown md;
        const QVariantList list = md.segments(QStringLiteral("Hi\n```py\nx\n"));
        QCOMPARE(list.size(), 2);
        const QVariantMap first = list[0].toMap();
        const QVariantMap second = list[1].toMap();
        QCOMPARE(first.value(QStringLiteral("kind")).toString(), QStringLiteral("prose"));
        QCOMPARE(first.value(QStringLiteral("text")).toString(), QStringLiteral("Hi"));
        QCOMPARE(second.value(QStringLiteral("kind")).toString(), QStringLiteral("code"));
        QCOMPARE(second.value(QStringLiteral("language")).toString(), QStringLiteral("py"));
        QCOMPARE(second.value(QStringLiteral("text")).toString(), QStringLiteral("x\n"));
        QCOMPARE(second.value(QStringLiteral("closed")).toBool(), false);
    }
};

QTEST_MAIN(TestMarkdownSegments)
#include "test_markdown_segments.moc"
