// An answer's text: prose rendered as markdown (headings, lists, tables, emphasis, links) and each
// fenced code block as its own monospace box with a copy button. The split into prose and code is
// done in C++ (Markdown.segments, app/ui_models/markdown_segments.h) and redone as the answer grows.
import QtQuick
import Lamplight

Column {
    id: root
    property string text
    property bool generating: false
    spacing: Theme.spacing

    // An answer that has not started yet still shows the cursor.
    readonly property var segments: {
        const split = Markdown.segments(root.text)
        return split.length === 0 && root.generating
               ? [{ kind: "prose", text: "", language: "", closed: true }] : split
    }

    // The segments as a ListModel updated in place: while an answer streams, only the last segment
    // changes or a new one is added, so the other delegates stay as they are (no flicker, and a
    // selection or a scrolled code block survives).
    ListModel { id: segmentModel }

    function sync() {
        const next = root.segments
        for (let i = 0; i < next.length; ++i) {
            if (i >= segmentModel.count) {
                segmentModel.append(next[i])
                continue
            }
            const shown = segmentModel.get(i)
            if (shown.kind !== next[i].kind || shown.text !== next[i].text
                    || shown.language !== next[i].language || shown.closed !== next[i].closed)
                segmentModel.set(i, next[i])
        }
        if (segmentModel.count > next.length)
            segmentModel.remove(next.length, segmentModel.count - next.length)
    }
    onSegmentsChanged: sync()
    Component.onCompleted: sync()

    Repeater {
        model: segmentModel

        delegate: Loader {
            id: segment
            required property int index
            required property string kind
            required property string text
            required property string language
            required property bool closed
            readonly property bool last: index === segmentModel.count - 1
            width: root.width
            sourceComponent: kind === "code" ? codeComponent : proseComponent

            Component {
                id: proseComponent
                TextEdit {
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.Wrap
                    textFormat: TextEdit.MarkdownText
                    // The cursor shows where text arrives while the answer grows.
                    text: segment.text + (root.generating && segment.last ? " ▍" : "")
                    color: Theme.text
                    selectionColor: Theme.accent
                    selectedTextColor: Theme.accentText
                    font.pixelSize: Theme.fontSize
                    onLinkActivated: link => Qt.openUrlExternally(link)
                    Accessible.name: qsTr("Answer")
                }
            }
            Component {
                id: codeComponent
                CodeBlock {
                    code: segment.text
                    language: segment.language
                    complete: segment.closed
                }
            }
        }
    }
}
