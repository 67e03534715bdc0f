// Where the user writes: Enter sends, Shift+Enter starts a new line. Disabled, with the reason, while
// no model is loaded; the button becomes Stop while an answer is written.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

Rectangle {
    id: bar
    color: Theme.window
    implicitHeight: Math.min(Math.max(input.implicitHeight, 40), 200) + 24

    function send() {
        if (AppController.sendMessage(input.text))
            input.clear()
    }

    RowLayout {
        width: Math.min(parent.width - 48, Theme.contentMaxWidth)
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.verticalCenter: parent.verticalCenter
        spacing: Theme.spacing

        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(Math.max(input.implicitHeight, 40), 200)

            TextArea {
                id: input
                objectName: "messageInput"  // the end-to-end test types here (app/automation)
                enabled: AppController.canSend
                wrapMode: TextArea.Wrap
                placeholderText: AppController.canSend
                                 ? qsTr("Message (Enter sends, Shift+Enter for a new line)")
                                 : AppController.cannotSendReason
                font.pixelSize: Theme.fontSize
                color: Theme.text
                focus: true
                Accessible.name: qsTr("Message")
                background: Rectangle {
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: input.activeFocus ? Theme.accent : Theme.border
                }
                Keys.onPressed: event => {
                    if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                            && !(event.modifiers & Qt.ShiftModifier)) {
                        event.accepted = true
                        bar.send()
                    }
                }
            }
        }

        Button {
            id: action
            readonly property bool stopping: AppController.generation.generating
            text: stopping ? qsTr("Stop") : qsTr("Send")
            enabled: stopping || (AppController.canSend && input.text.trim().length > 0)
            font.pixelSize: Theme.fontSize
            Accessible.name: stopping ? qsTr("Stop the answer (Esc)") : qsTr("Send message")
            onClicked: stopping ? AppController.stop() : bar.send()
            contentItem: Text {
                text: action.text
                font: action.font
                color: action.enabled ? Theme.accentText : Theme.mutedText
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
            }
            background: Rectangle {
                implicitWidth: 72
                implicitHeight: 40
                radius: Theme.radius
                color: !action.enabled ? Theme.selection
                       : action.stopping ? Theme.danger : Theme.accent
            }
        }
    }
}
