// The settings panel's second page: theme, text size and language (all applied at once), and the
// keyboard shortcuts for reference.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

ColumnLayout {
    id: page
    spacing: Theme.spacing * 1.5

    component Heading: Text {
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        color: Theme.text
        font.pixelSize: Theme.titleFontSize
        font.bold: true
        Accessible.role: Accessible.Heading
        Accessible.name: text
    }

    Heading { text: qsTr("Appearance") }

    SettingsPanelChoice {
        objectName: "theme"
        label: qsTr("Theme")
        choices: [
            { value: "system", label: qsTr("Follow the system") },
            { value: "light", label: qsTr("Light") },
            { value: "dark", label: qsTr("Dark") }
        ]
        current: AppSettings.theme
        onChosen: value => AppSettings.theme = value
    }
    SettingsPanelNumber {
        objectName: "fontSize"
        label: qsTr("Text size (pixels)")
        hint: qsTr("Every text in the window grows or shrinks with it.")
        value: AppSettings.fontSize
        from: AppSettings.limits.fontSize.min; to: AppSettings.limits.fontSize.max
        onEdited: v => AppSettings.fontSize = v
    }
    Text {
        objectName: "fontPreview"
        Layout.fillWidth: true
        text: qsTr("Preview: The quick brown fox jumps over the lazy dog.") + "  敏捷的棕色狐狸跳过了懒狗。"
        color: Theme.mutedText
        font.pixelSize: Theme.fontSize
        wrapMode: Text.Wrap
    }
    // Language names are written in their own language, so each can be found whatever is shown now.
    SettingsPanelChoice {
        objectName: "language"
        label: qsTr("Language")
        choices: [
            { value: "system", label: qsTr("Follow the system") },
            { value: "en", label: "English" },
            { value: "zh_CN", label: "简体中文" }
        ]
        current: AppSettings.language
        onChosen: value => AppSettings.language = value
    }

    Heading { text: qsTr("Keyboard shortcuts") }

    Repeater {
        model: [
            ["Ctrl+N", qsTr("New chat")],
            ["Ctrl+F", qsTr("Search conversations")],
            ["Esc", qsTr("Stop the answer; close this panel")],
            ["Ctrl+M", qsTr("Choose a model")],
            ["Ctrl+,", qsTr("Settings")],
            ["Ctrl+Shift+C", qsTr("Copy the last answer")],
            ["Ctrl+=  /  Ctrl+-", qsTr("Larger / smaller text")],
            ["Tab  /  Shift+Tab", qsTr("Move between controls")]
        ]
        delegate: Item {
            id: shortcut
            required property var modelData
            Layout.fillWidth: true
            implicitHeight: Math.max(keys.implicitHeight, action.implicitHeight)
            Text {
                id: keys
                width: Math.round(150 * Theme.fontScale)
                text: shortcut.modelData[0]
                color: Theme.text
                font.pixelSize: Theme.smallFontSize
                font.family: "monospace"
            }
            Text {
                id: action
                anchors.left: keys.right
                anchors.leftMargin: Theme.spacing * 2
                anchors.right: parent.right
                text: shortcut.modelData[1]
                color: Theme.mutedText
                font.pixelSize: Theme.smallFontSize
                wrapMode: Text.Wrap
            }
        }
    }
}
