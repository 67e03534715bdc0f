// One fenced code block of an answer: a monospace box that scrolls sideways instead of wrapping,
// with the language and a copy button above it.
import QtQuick
import QtQuick.Controls
import Lamplight

Rectangle {
    id: block
    property string code
    property string language
    property bool complete: true  // false while the answer is still writing this block

    implicitHeight: header.height + codeView.height
    radius: Theme.radius
    color: Theme.dark ? "#17181b" : "#f3f4f6"
    border.color: Theme.border

    Item {
        id: header
        width: parent.width
        height: 28

        Text {
            anchors.left: parent.left
            anchors.leftMargin: 10
            anchors.verticalCenter: parent.verticalCenter
            text: block.language.length > 0 ? block.language : qsTr("code")
            color: Theme.mutedText
            font.pixelSize: Theme.smallFontSize
        }
        MiniButton {
            id: copyButton
            objectName: "copyCodeButton"
            property bool copied: false
            anchors.right: parent.right
            anchors.rightMargin: 4
            anchors.verticalCenter: parent.verticalCenter
            enabled: block.complete
            text: copied ? qsTr("Copied") : qsTr("Copy")
            Accessible.name: qsTr("Copy code")
            onClicked: {
                clipboardHelper.text = block.code
                clipboardHelper.selectAll()
                clipboardHelper.copy()
                copied = true
                copiedTimer.restart()
            }
            Timer {
                id: copiedTimer
                interval: 1500
                onTriggered: copyButton.copied = false
            }
        }
    }

    Flickable {
        id: codeView
        anchors.top: header.bottom
        width: parent.width
        height: codeText.implicitHeight + 16
        contentWidth: codeText.implicitWidth + 24
        contentHeight: height
        clip: true
        flickableDirection: Flickable.HorizontalFlick
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.horizontal: ScrollBar { policy: ScrollBar.AsNeeded }

        TextEdit {
            id: codeText
            x: 12
            y: 6
            readOnly: true
            selectByMouse: true
            textFormat: TextEdit.PlainText
            text: block.code
            color: Theme.text
            selectionColor: Theme.accent
            selectedTextColor: Theme.accentText
            font.family: "monospace"
            font.pixelSize: Theme.smallFontSize + 1
            Accessible.name: qsTr("Code")
        }
    }

    // Qt Quick 6.4 has no clipboard API: a hidden TextEdit copies.
    TextEdit {
        id: clipboardHelper
        visible: false
        textFormat: TextEdit.PlainText
    }
}
