// One line at the bottom: the model and where it runs (with the fallback reason), load progress
// with a Cancel button (Esc while loading), the speed of the last answer and how much of the
// context the conversation uses.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

Rectangle {
    id: status
    // The GenerationController shown; tests put a stand-in here.
    property var gen: AppController.generation
    implicitHeight: 28
    color: Theme.sidebar

    Rectangle { anchors.top: parent.top; width: parent.width; height: 1; color: Theme.border }

    // Esc cancels a load (Main.qml's Esc stops an answer only while nothing loads).
    Shortcut {
        sequence: "Esc"
        enabled: status.gen.loading
        onActivated: status.gen.cancelLoad()
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 10
        anchors.rightMargin: 10
        spacing: 12

        Text {
            text: status.gen.modelLoaded ? status.gen.modelName
                  : status.gen.loading ? qsTr("Loading %1").arg(status.gen.loadStage)
                  : qsTr("No model")
            color: Theme.text
            font.pixelSize: Theme.smallFontSize
            font.bold: true
            elide: Text.ElideRight
            Layout.maximumWidth: 260
        }
        ProgressBar {
            objectName: "loadProgressBar"
            visible: status.gen.loading
            from: 0
            to: 1
            value: status.gen.loadProgress
            Layout.preferredWidth: 120
            Accessible.name: qsTr("Loading the model")
        }
        Text {
            objectName: "loadPercent"
            visible: status.gen.loading
            text: qsTr("%1 %").arg(Math.round(status.gen.loadProgress * 100))
            color: Theme.mutedText
            font.pixelSize: Theme.smallFontSize
        }
        MiniButton {
            objectName: "cancelLoadButton"
            visible: status.gen.loading
            text: qsTr("Cancel")
            Accessible.name: qsTr("Cancel loading the model (Esc)")
            onClicked: status.gen.cancelLoad()
        }
        Text {
            visible: status.gen.modelLoaded
            text: status.gen.backend.toUpperCase() + (status.gen.device.length > 0
                                                      && status.gen.device !== status.gen.backend
                                                      ? " · " + status.gen.device : "")
            color: Theme.mutedText
            font.pixelSize: Theme.smallFontSize
        }
        Text {
            visible: status.gen.modelLoaded && status.gen.fallbackReason.length > 0
            text: "⚠ " + status.gen.fallbackReason
            color: Theme.warning
            font.pixelSize: Theme.smallFontSize
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        Item { Layout.fillWidth: true; visible: status.gen.fallbackReason.length === 0 }
        Text {
            visible: status.gen.tokensPerSecond > 0
            text: qsTr("%1 tokens/s").arg(status.gen.tokensPerSecond.toFixed(1))
            color: Theme.mutedText
            font.pixelSize: Theme.smallFontSize
        }
        Text {
            visible: status.gen.contextSize > 0
            text: qsTr("context %1 / %2").arg(status.gen.contextUsed).arg(status.gen.contextSize)
            color: Theme.mutedText
            font.pixelSize: Theme.smallFontSize
        }
    }
}
