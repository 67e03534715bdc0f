// One sidebar row: the title (bold when open), a pin mark, and a menu with rename, pin and delete.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

ItemDelegate {
    id: row
    required property var conversationId
    required property string title
    required property bool pinned
    required property string snippet
    signal renameRequested(var id, string title)

    readonly property bool current: AppController.currentConversationId === conversationId
    height: snippet.length > 0 ? 54 : 38
    padding: 6
    Accessible.name: title
    onClicked: AppController.currentConversationId = conversationId

    background: Rectangle {
        radius: Theme.radius
        color: row.current ? Theme.selection : (row.hovered ? Theme.hover : "transparent")
    }

    contentItem: RowLayout {
        spacing: 4
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 0
            Text {
                Layout.fillWidth: true
                text: (row.pinned ? "📌 " : "") + row.title
                elide: Text.ElideRight
                color: Theme.text
                font.pixelSize: Theme.fontSize
                font.bold: row.current
            }
            Text {
                Layout.fillWidth: true
                visible: row.snippet.length > 0
                text: row.snippet
                elide: Text.ElideRight
                color: Theme.mutedText
                font.pixelSize: Theme.smallFontSize
            }
        }
        MiniButton {
            id: more
            text: "⋯"
            visible: row.hovered || row.current || menu.visible
            Accessible.name: qsTr("Conversation actions")
            onClicked: menu.popup(more, 0, more.height)
        }
    }

    Menu {
        id: menu
        MenuItem {
            text: qsTr("Rename…")
            onTriggered: row.renameRequested(row.conversationId, row.title)
        }
        MenuItem {
            text: row.pinned ? qsTr("Unpin") : qsTr("Pin")
            onTriggered: AppController.setPinned(row.conversationId, !row.pinned)
        }
        MenuItem {
            text: qsTr("Delete")
            onTriggered: AppController.deleteConversation(row.conversationId)
        }
    }
}
