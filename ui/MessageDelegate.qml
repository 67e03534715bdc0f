// One message: a bubble with the text (answers as markdown with code blocks: MarkdownMessage), and
// below it copy, the "‹ 2/3 ›" switcher when there are alternatives, and regenerate for answers. A
// growing answer shows a cursor.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

Item {
    id: message
    required property int index
    required property var messageId
    required property string role
    required property string text
    required property int siblingIndex
    required property int siblingCount
    required property string finish
    required property bool generating

    readonly property bool isUser: role === "user"
    property bool editing: false
    readonly property real columnWidth: Math.min(width - 48, Theme.contentMaxWidth)
    implicitHeight: column.implicitHeight

    function resend() {
        if (AppController.editAndResend(message.messageId, editor.text))
            message.editing = false
    }

    ColumnLayout {
        id: column
        width: message.columnWidth
        anchors.horizontalCenter: parent.horizontalCenter
        spacing: 2

        Rectangle {
            id: bubble
            Layout.alignment: message.isUser ? Qt.AlignRight : Qt.AlignLeft
            Layout.preferredWidth: message.isUser
                                   ? Math.min(body.implicitWidth + 28, message.columnWidth * 0.85)
                                   : message.columnWidth
            Layout.preferredHeight: (message.editing ? editor.implicitHeight
                                     : message.isUser ? body.implicitHeight : answer.implicitHeight) + 20
            radius: Theme.radius * 1.5
            color: message.isUser ? Theme.userBubble : Theme.assistantBubble
            border.color: message.isUser ? "transparent" : Theme.border

            // Answers: markdown prose and code blocks with a copy button each.
            MarkdownMessage {
                id: answer
                visible: !message.isUser && !message.editing
                x: 14
                y: 10
                width: bubble.width - 28
                text: message.isUser ? "" : message.text
                generating: message.generating
            }

            TextEdit {
                id: body
                visible: message.isUser && !message.editing
                x: 14
                y: 10
                width: bubble.width - 28
                readOnly: true
                selectByMouse: true
                wrapMode: TextEdit.Wrap
                textFormat: TextEdit.PlainText
                text: message.isUser ? message.text : ""
                color: Theme.text
                selectionColor: Theme.accent
                selectedTextColor: Theme.accentText
                font.pixelSize: Theme.fontSize
                Accessible.name: message.isUser ? qsTr("Your message") : qsTr("Answer")
            }

            TextArea {
                id: editor
                visible: message.editing
                x: 4
                y: 4
                width: bubble.width - 8
                wrapMode: TextArea.Wrap
                color: Theme.text
                font.pixelSize: Theme.fontSize
                background: null
                Accessible.name: qsTr("Edit your message")
                Keys.onPressed: event => {
                    if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                            && !(event.modifiers & Qt.ShiftModifier)) {
                        event.accepted = true
                        message.resend()
                    } else if (event.key === Qt.Key_Escape) {
                        event.accepted = true
                        message.editing = false
                    }
                }
            }
        }

        // A book-assistant answer: its recommendations as cards, unverified titles as a warning.
        Loader {
            Layout.fillWidth: true
            active: !message.isUser && !message.generating && AppController.books.active
            visible: active
            sourceComponent: BookCards { messageId: message.messageId }
        }

        RowLayout {
            Layout.alignment: message.isUser ? Qt.AlignRight : Qt.AlignLeft
            spacing: 2
            visible: !message.generating

            MiniButton {
                text: "‹"
                visible: message.siblingCount > 1
                enabled: message.siblingIndex > 0
                Accessible.name: qsTr("Previous version")
                onClicked: AppController.selectSibling(message.messageId, -1)
            }
            Text {
                visible: message.siblingCount > 1
                text: (message.siblingIndex + 1) + "/" + message.siblingCount
                color: Theme.mutedText
                font.pixelSize: Theme.smallFontSize
            }
            MiniButton {
                text: "›"
                visible: message.siblingCount > 1
                enabled: message.siblingIndex < message.siblingCount - 1
                Accessible.name: qsTr("Next version")
                onClicked: AppController.selectSibling(message.messageId, 1)
            }
            MiniButton {
                text: qsTr("Copy")
                font.pixelSize: Theme.smallFontSize
                Accessible.name: qsTr("Copy message")
                onClicked: {
                    clipboardHelper.text = message.text
                    clipboardHelper.selectAll()
                    clipboardHelper.copy()
                }
            }
            MiniButton {
                text: message.editing ? qsTr("Send") : qsTr("Edit")
                visible: message.isUser
                enabled: AppController.canSend
                Accessible.name: message.editing ? qsTr("Send the edited message") : qsTr("Edit and resend")
                onClicked: {
                    if (message.editing) {
                        message.resend()
                    } else {
                        editor.text = message.text
                        message.editing = true
                        editor.forceActiveFocus()
                    }
                }
            }
            MiniButton {
                text: qsTr("Cancel")
                visible: message.editing
                onClicked: message.editing = false
            }
            MiniButton {
                text: qsTr("Regenerate")
                visible: !message.isUser
                enabled: AppController.canSend
                font.pixelSize: Theme.smallFontSize
                Accessible.name: qsTr("Regenerate answer")
                onClicked: AppController.regenerate(message.messageId)
            }
            Text {
                visible: message.finish !== "complete" && message.finish !== "generating"
                text: message.finish === "stopped" ? qsTr("stopped")
                    : message.finish === "interrupted" ? qsTr("interrupted")
                    : message.finish === "length" ? qsTr("cut at the length limit")
                    : message.finish
                color: Theme.warning
                font.pixelSize: Theme.smallFontSize
            }
        }
    }

    // Qt Quick 6.4 has no clipboard API: a hidden TextEdit copies.
    TextEdit {
        id: clipboardHelper
        visible: false
        textFormat: TextEdit.PlainText
    }
}
