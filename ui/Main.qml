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

    // For screenshots and `--theme`: this run only, the saved theme setting stays as it is.
    function setDarkTheme(on) { Theme.runTheme = on ? "dark" : "light" }

    // The settings panel (Ctrl+, or the ⚙ button); an alias so tests can reach it.
    property alias settingsPanel: settingsPanel
    SettingsPanel { id: settingsPanel }

    // The model picker (Ctrl+M or the "Models" button); an alias so tests can reach it.
    property alias modelPicker: modelPicker
    ModelPicker { id: modelPicker }

    // Opens a panel by name ("models", "settings"): for screenshots and the command line.
    function openPanel(name) {
        if (name === "models")
            modelPicker.open()
        else if (name === "settings")
            settingsPanel.open()
    }

    Shortcut { sequence: "Ctrl+M"; onActivated: modelPicker.open() }
    Shortcut { sequence: "Ctrl+N"; onActivated: AppController.newConversation() }
    Shortcut { sequence: "Ctrl+Shift+N"; onActivated: AppController.newBookConversation() }
    Shortcut { sequence: "Ctrl+F"; onActivated: sidebar.focusSearch() }
    Shortcut {
        sequence: "Esc"
        // While a model loads, Esc cancels the load (StatusBar.qml): one Esc shortcut at a time.
        enabled: AppController.generation.generating && !AppController.generation.loading
        onActivated: AppController.stop()
    }
    Shortcut { sequence: "Ctrl+,"; onActivated: settingsPanel.open() }
    Shortcut { sequence: "Ctrl+Shift+C"; onActivated: AppController.copyLastAnswer() }
    Shortcut { sequences: ["Ctrl+=", "Ctrl++"]; onActivated: AppSettings.fontSize += 1 }
    Shortcut { sequence: "Ctrl+-"; onActivated: AppSettings.fontSize -= 1 }

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
                    font.pixelSize: Theme.fontSize
                    Accessible.name: qsTr("Dismiss message")
                    onClicked: AppController.dismissNotice()
                }
            }

            // The chat's header: the model picker and the settings, in a row of their own so they
            // never cover the conversation.
            RowLayout {
                Layout.fillWidth: true
                Layout.margins: Theme.spacing
                Layout.bottomMargin: 0
                spacing: Theme.spacing
                Text {
                    objectName: "bookAssistantLabel"
                    visible: AppController.books.active
                    text: qsTr("Book assistant: answers recommend books from the catalogue and your library")
                    color: Theme.mutedText
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                    font.pixelSize: Theme.smallFontSize
                }
                Item { Layout.fillWidth: true; visible: !AppController.books.active }
                MiniButton {
                    objectName: "modelsButton"
                    text: AppController.generation.modelLoaded ? AppController.generation.modelName + " ▾" : qsTr("Choose a model ▾")
                    font.pixelSize: Theme.smallFontSize
                    Accessible.name: qsTr("Models (Ctrl+M)")
                    onClicked: modelPicker.open()
                }
                MiniButton {
                    objectName: "settingsButton"
                    text: "⚙"
                    font.pixelSize: Theme.titleFontSize
                    Accessible.name: qsTr("Settings (Ctrl+,)")
                    onClicked: settingsPanel.open()
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
