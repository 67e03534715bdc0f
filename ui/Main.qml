// The main window: the sidebar of conversations on the left; on the right the chat, the input bar
// and the status bar. Logic lives in AppController (C++).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

ApplicationWindow {
    id: window
    width: 1100
    height: 720
    minimumWidth: 640
    minimumHeight: 420
    visible: true
    title: AppController.currentTitle + " — Lamplight"
    color: Theme.window

    palette.window: Theme.window
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.text: Theme.text
    palette.button: Theme.surface
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.accentText
    palette.placeholderText: Theme.mutedText

    // For the settings panel (to come) and screenshots.
    function setDarkTheme(on) { Theme.dark = on }

    Shortcut { sequence: "Ctrl+N"; onActivated: AppController.newConversation() }
    Shortcut { sequence: "Ctrl+F"; onActivated: sidebar.focusSearch() }
    Shortcut {
        sequence: "Esc"
        enabled: AppController.generation.generating
        onActivated: AppController.stop()
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        Sidebar {
            id: sidebar
            Layout.fillHeight: true
            Layout.preferredWidth: Theme.sidebarWidth
        }

        Rectangle {
            Layout.fillHeight: true
            Layout.preferredWidth: 1
            color: Theme.border
        }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            Rectangle {
                id: noticeBar
                Layout.fillWidth: true
                Layout.preferredHeight: noticeText.implicitHeight + 16
                visible: AppController.notice.length > 0
                color: Theme.dark ? "#3d2f12" : "#fff4d6"

                Text {
                    id: noticeText
                    anchors.left: parent.left
                    anchors.right: dismiss.left
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.margins: 8
                    text: AppController.notice
                    color: Theme.text
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.smallFontSize
                }
                ToolButton {
                    id: dismiss
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    text: "✕"
                    Accessible.name: qsTr("Dismiss message")
                    onClicked: AppController.dismissNotice()
                }
            }

            ChatView {
                Layout.fillWidth: true
                Layout.fillHeight: true
            }

            InputBar {
                Layout.fillWidth: true
            }

            StatusBar {
                Layout.fillWidth: true
            }
        }
    }
}
