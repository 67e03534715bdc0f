// One model in the picker: its name and file, then architecture, parameters, quantization, file size,
// context and the memory it needs; or, for a file that cannot be used, why. Clicking a usable row (or
// Enter on it) chooses it.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

Rectangle {
    id: row
    required property string path
    required property string fileName
    required property string name
    required property string architecture
    required property string parameters
    required property string quantization
    required property string quantizationMix
    required property string fileSize
    required property var context
    required property string memory
    required property string error
    required property bool usable
    required property bool current
    property bool loading: false
    signal chosen()

    implicitHeight: column.implicitHeight + 16
    radius: Theme.radius
    color: current ? Theme.selection : (mouse.containsMouse && usable ? Theme.hover : "transparent")
    border.color: activeFocus ? Theme.accent : "transparent"
    activeFocusOnTab: true
    Accessible.role: Accessible.Button
    Accessible.name: usable ? qsTr("Load %1").arg(name) : qsTr("%1 cannot be used: %2").arg(fileName).arg(error)
    Keys.onReturnPressed: if (usable && !loading) row.chosen()

    MouseArea {
        id: mouse
        anchors.fill: parent
        hoverEnabled: true
        enabled: row.usable && !row.loading
        cursorShape: enabled ? Qt.PointingHandCursor : Qt.ArrowCursor
        onClicked: row.chosen()
    }

    ColumnLayout {
        id: column
        x: 10
        y: 8
        width: row.width - 20
        spacing: 2

        RowLayout {
            Layout.fillWidth: true
            Text {
                text: row.name
                color: row.usable ? Theme.text : Theme.mutedText
                font.pixelSize: Theme.fontSize
                font.bold: true
                elide: Text.ElideRight
                Layout.maximumWidth: column.width * 0.5
            }
            Text {
                Layout.fillWidth: true
                text: row.fileName
                color: Theme.mutedText
                font.pixelSize: Theme.smallFontSize
                elide: Text.ElideMiddle
            }
            Text {
                visible: row.current
                text: qsTr("loaded")
                color: Theme.accent
                font.pixelSize: Theme.smallFontSize
            }
        }

        // The columns people compare, or the reason the file cannot be used.
        Text {
            Layout.fillWidth: true
            visible: row.usable
            text: [row.architecture, qsTr("%1 parameters").arg(row.parameters), row.quantization, row.fileSize,
                   qsTr("context %1").arg(Number(row.context).toLocaleString(Qt.locale(), 'f', 0)),
                   qsTr("needs about %1").arg(row.memory)].join("  ·  ")
            color: Theme.text
            font.pixelSize: Theme.smallFontSize
            elide: Text.ElideRight
            ToolTip.visible: hoverTip.hovered
            ToolTip.text: qsTr("Tensor formats: %1").arg(row.quantizationMix)
            HoverHandler { id: hoverTip }
        }
        Text {
            Layout.fillWidth: true
            visible: !row.usable
            text: row.error
            color: Theme.danger
            wrapMode: Text.Wrap
            font.pixelSize: Theme.smallFontSize
        }
    }
}
