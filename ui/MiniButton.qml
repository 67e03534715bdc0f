// A small, quiet text button for message and row actions (copy, regenerate, ‹ ›, ⋯).
import QtQuick
import QtQuick.Controls
import Lamplight

ToolButton {
    id: button
    implicitHeight: 26
    implicitWidth: Math.max(26, label.implicitWidth + 14)
    padding: 0
    font.pixelSize: Theme.smallFontSize
    contentItem: Text {
        id: label
        text: button.text
        font: button.font
        color: button.enabled ? Theme.mutedText : Theme.border
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
    }
    background: Rectangle {
        radius: 6
        color: button.down ? Theme.selection : (button.hovered ? Theme.hover : "transparent")
        border.color: button.visualFocus ? Theme.accent : "transparent"
    }
}
