// The settings panel (Ctrl+, or the ⚙ button): a modal sheet over the window with two pages,
// Generation and Appearance. Changes are saved and applied at once; Esc or Close shuts it.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

Popup {
    id: panel

    // Which page shows: 0 Generation, 1 Appearance.
    property alias currentPage: tabs.currentIndex

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 40 : 640, Math.round(680 * Math.max(1, Theme.fontScale)))
    height: parent ? parent.height - 40 : 600
    modal: true
    focus: true
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside
    padding: Theme.spacing * 2

    // The controls take their colours from Theme through their own palettes: in Qt 6.4 a palette
    // change on a Popup does not reach the controls inside it (seen in tests/qml), so inherited
    // colours would stay behind after a theme switch.
    component PanelButton: Button {
        font.pixelSize: Theme.smallFontSize
        palette.button: Theme.surface
        palette.buttonText: Theme.text
        palette.mid: Theme.border
        palette.highlight: Theme.accent
    }
    component PanelTab: TabButton {
        // Basic's TabButton: checked ones use window/windowText, the others dark/brightText.
        palette.window: Theme.accent
        palette.windowText: Theme.accentText
        palette.dark: Theme.selection
        palette.brightText: Theme.text
        palette.mid: Theme.border
    }

    background: Rectangle {
        color: Theme.window
        radius: Theme.radius
        border.color: Theme.border
    }

    onOpened: tabs.currentItem.forceActiveFocus(Qt.TabFocusReason)

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing
        Accessible.role: Accessible.Dialog
        Accessible.name: qsTr("Settings")

        RowLayout {
            Layout.fillWidth: true
            Text {
                objectName: "title"
                Layout.fillWidth: true
                text: qsTr("Settings")
                color: Theme.text
                font.pixelSize: Math.round(Theme.titleFontSize * 1.25)
                font.bold: true
                Accessible.role: Accessible.Heading
                Accessible.name: text
            }
            PanelButton {
                objectName: "resetButton"
                text: qsTr("Reset generation settings")
                Accessible.name: text
                onClicked: AppSettings.resetGeneration()
            }
            PanelButton {
                objectName: "closeButton"
                text: qsTr("Close")
                Accessible.name: qsTr("Close settings (Esc)")
                onClicked: panel.close()
            }
        }

        TabBar {
            id: tabs
            Layout.fillWidth: true
            font.pixelSize: Theme.fontSize
            PanelTab { text: qsTr("Generation"); Accessible.name: text }
            PanelTab { text: qsTr("Appearance"); Accessible.name: text }
        }

        StackLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: tabs.currentIndex

            ScrollView {
                id: generationScroll
                clip: true
                contentWidth: availableWidth
                SettingsPanelGeneration {
                    width: generationScroll.availableWidth
                }
            }
            ScrollView {
                id: appearanceScroll
                clip: true
                contentWidth: availableWidth
                SettingsPanelAppearance {
                    width: appearanceScroll.availableWidth
                }
            }
        }
    }
}
