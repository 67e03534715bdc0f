// One setting chosen from a list: its name and a combo box. `choices` is [{value, label}, …];
// `current` is the chosen value.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

RowLayout {
    id: row

    property string label
    property var choices: []
    property string current
    // The user picked `value`.
    signal chosen(string value)

    property alias comboBox: combo

    spacing: Theme.spacing * 2
    Layout.fillWidth: true

    Text {
        Layout.fillWidth: true
        text: row.label
        color: Theme.text
        font.pixelSize: Theme.fontSize
        wrapMode: Text.Wrap
    }

    ComboBox {
        id: combo
        Layout.preferredWidth: Math.round(260 * Theme.fontScale)
        model: row.choices
        textRole: "label"
        valueRole: "value"
        // Re-evaluated when the list arrives or is rebuilt (a language switch re-translates the
        // labels) and when the setting changes elsewhere.
        currentIndex: { model; count; return indexOfValue(row.current) }
        font.pixelSize: Theme.fontSize
        Accessible.name: row.label
        // Bound here and on the list, not inherited from the panel (a Popup, whose palette
        // changes do not reach its controls in Qt 6.4): a theme switch would leave colours behind.
        palette.base: Theme.surface
        palette.button: Theme.surface
        palette.buttonText: Theme.text
        palette.text: Theme.text
        palette.dark: Theme.text
        palette.mid: Theme.border
        palette.window: Theme.surface
        palette.highlight: Theme.accent
        palette.highlightedText: Theme.accentText
        popup.palette.window: Theme.surface
        popup.palette.mid: Theme.border
        delegate: ItemDelegate {
            required property var modelData
            required property int index
            width: combo.width
            text: modelData.label
            font: combo.font
            highlighted: combo.highlightedIndex === index
            Accessible.name: text
            contentItem: Text {
                text: parent.text
                font: parent.font
                color: Theme.text
                elide: Text.ElideRight
                verticalAlignment: Text.AlignVCenter
            }
            background: Rectangle {
                color: parent.highlighted ? Theme.selection : Theme.surface
            }
        }
        onActivated: index => row.chosen(valueAt(index))
    }
}
