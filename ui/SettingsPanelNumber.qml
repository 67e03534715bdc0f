// One numeric setting: its name, a hint under it, and a spin box (arrow keys and typing work, so
// it is reachable by keyboard). Reals are shown with `decimals` places; the spin box itself counts
// in steps of 10^-decimals because Qt's SpinBox holds integers.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

RowLayout {
    id: row

    property string label
    property string hint
    property real value
    property real from: 0
    property real to: 100
    property real step: 1
    property int decimals: 0
    // The user changed the value (the owner writes it to AppSettings, which clamps it).
    signal edited(real value)

    readonly property real factor: Math.pow(10, decimals)
    property alias spinBox: spin

    spacing: Theme.spacing * 2
    Layout.fillWidth: true

    ColumnLayout {
        Layout.fillWidth: true
        spacing: 2
        Text {
            Layout.fillWidth: true
            text: row.label
            color: Theme.text
            font.pixelSize: Theme.fontSize
            wrapMode: Text.Wrap
        }
        Text {
            Layout.fillWidth: true
            visible: row.hint.length > 0
            text: row.hint
            color: Theme.mutedText
            font.pixelSize: Theme.smallFontSize
            wrapMode: Text.Wrap
        }
    }

    SpinBox {
        id: spin
        Layout.preferredWidth: Math.round(150 * Theme.fontScale)
        from: Math.round(row.from * row.factor)
        to: Math.round(row.to * row.factor)
        stepSize: Math.max(1, Math.round(row.step * row.factor))
        value: Math.round(row.value * row.factor)
        editable: true
        // Bound here, not inherited from the panel (a Popup, whose palette changes do not reach
        // its controls in Qt 6.4): a theme switch would leave colours behind.
        palette.base: Theme.surface
        palette.button: Theme.surface
        palette.buttonText: Theme.text
        palette.text: Theme.text
        palette.mid: Theme.border
        palette.highlight: Theme.accent
        palette.highlightedText: Theme.accentText
        font.pixelSize: Theme.fontSize
        Accessible.name: row.label
        Accessible.description: row.hint
        validator: RegularExpressionValidator { regularExpression: /-?[0-9]*([.,][0-9]*)?/ }
        textFromValue: (v, locale) => (v / row.factor).toFixed(row.decimals)
        valueFromText: (text, locale) => Math.round(Number(text.replace(",", ".")) * row.factor)
        onValueModified: row.edited(value / row.factor)
    }
}
