// The messages of the open conversation (its active branch). Follows the end while an answer
// streams in, unless the user has scrolled up to read.
import QtQuick
import QtQuick.Controls
import Lamplight

Item {
    id: chat

    ListView {
        id: list
        anchors.fill: parent
        clip: true
        model: AppController.messages
        spacing: 12
        topMargin: 16
        bottomMargin: 16
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {}

        property bool followEnd: true
        onMovementEnded: followEnd = atYEnd
        onCountChanged: if (followEnd) Qt.callLater(positionViewAtEnd)
        onContentHeightChanged: if (followEnd && !moving) Qt.callLater(positionViewAtEnd)

        Connections {
            target: AppController
            function onCurrentConversationChanged() {
                list.followEnd = true
                Qt.callLater(list.positionViewAtEnd)
            }
        }

        delegate: MessageDelegate {
            width: ListView.view.width
        }
    }

    Column {
        anchors.centerIn: parent
        visible: list.count === 0
        spacing: 8
        width: Math.min(parent.width - 40, 480)

        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            text: qsTr("Lamplight")
            color: Theme.text
            font.pixelSize: Theme.titleFontSize * 1.6
            font.bold: true
        }
        Text {
            width: parent.width
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            text: AppController.generation.modelLoaded
                  ? qsTr("Ask anything. Everything stays on this computer.")
                  : AppController.cannotSendReason
            color: Theme.mutedText
            font.pixelSize: Theme.fontSize
        }
    }
}
