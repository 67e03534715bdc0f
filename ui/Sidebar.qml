// The conversations: a search field, "New chat", and the list grouped by date (pinned first).
// Rename, pin and delete from each row's menu; a deleted conversation can be brought back with Undo.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

Rectangle {
    id: sidebar
    color: Theme.sidebar

    function focusSearch() { search.forceActiveFocus(); search.selectAll() }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: 4
            Button {
                id: newChat
                Layout.fillWidth: true
                text: qsTr("+  New chat")
                font.pixelSize: Theme.fontSize
                Accessible.name: qsTr("New chat (Ctrl+N)")
                onClicked: AppController.newConversation()
                background: Rectangle {
                    radius: Theme.radius
                    color: newChat.down ? Theme.selection : (newChat.hovered ? Theme.hover : Theme.surface)
                    border.color: Theme.border
                }
            }
            // "New chat ▾": the other kinds of chat (the book assistant) and the library import.
            Button {
                id: newChatMenuButton
                objectName: "newChatMenuButton"
                text: "▾"
                font.pixelSize: Theme.fontSize
                Accessible.name: qsTr("More ways to start a chat")
                onClicked: newChatMenu.popup(newChatMenuButton, 0, newChatMenuButton.height)
                background: Rectangle {
                    radius: Theme.radius
                    color: newChatMenuButton.down ? Theme.selection : (newChatMenuButton.hovered ? Theme.hover : Theme.surface)
                    border.color: Theme.border
                }
                Menu {
                    id: newChatMenu
                    objectName: "newChatMenu"
                    font.pixelSize: Theme.fontSize
                    MenuItem {
                        text: qsTr("New chat (Ctrl+N)")
                        onTriggered: AppController.newConversation()
                    }
                    MenuItem {
                        objectName: "bookAssistantItem"
                        text: qsTr("Book assistant (Ctrl+Shift+N)")
                        onTriggered: AppController.newBookConversation()
                    }
                    MenuSeparator {}
                    MenuItem {
                        objectName: "importLibraryItem"
                        text: qsTr("Import my library…")
                        onTriggered: bookImport.open()
                    }
                }
            }
        }

        TextField {
            id: search
            Layout.fillWidth: true
            placeholderText: qsTr("Search conversations (Ctrl+F)")
            font.pixelSize: Theme.fontSize
            color: Theme.text
            Accessible.name: qsTr("Search conversations")
            onTextChanged: searchDelay.restart()
            Keys.onEscapePressed: text = ""
            background: Rectangle {
                radius: Theme.radius
                color: Theme.surface
                border.color: search.activeFocus ? Theme.accent : Theme.border
            }
            Timer {
                id: searchDelay
                interval: 200
                onTriggered: AppController.conversations.filter = search.text
            }
        }

        ListView {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: AppController.conversations
            spacing: 2
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {}

            section.property: "group"
            section.delegate: Text {
                required property string section
                width: ListView.view.width
                topPadding: 10
                bottomPadding: 4
                leftPadding: 6
                text: section
                color: Theme.mutedText
                font.pixelSize: Theme.smallFontSize
                font.bold: true
            }

            delegate: ConversationDelegate {
                width: ListView.view.width
                onRenameRequested: (id, title) => {
                    renameDialog.conversationId = id
                    renameField.text = title
                    renameDialog.open()
                }
            }

            Text {
                anchors.centerIn: parent
                visible: list.count === 0
                width: parent.width - 20
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                text: AppController.conversations.filter.length > 0 ? qsTr("Nothing found")
                                                                     : qsTr("No conversations yet")
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize
            }
        }

        Rectangle {
            id: undoBar
            Layout.fillWidth: true
            Layout.preferredHeight: visible ? 40 : 0
            visible: AppController.canUndoDelete
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border

            RowLayout {
                anchors.fill: parent
                anchors.leftMargin: 8
                anchors.rightMargin: 4
                Text {
                    Layout.fillWidth: true
                    text: qsTr("Deleted “%1”").arg(AppController.deletedTitle)
                    elide: Text.ElideRight
                    color: Theme.text
                    font.pixelSize: Theme.smallFontSize
                }
                Button {
                    text: qsTr("Undo")
                    flat: true
                    font.pixelSize: Theme.smallFontSize
                    Accessible.name: qsTr("Undo delete")
                    onClicked: AppController.undoDelete()
                }
            }
        }
    }

    BookImport { id: bookImport }

    Dialog {
        id: renameDialog
        property var conversationId: 0
        parent: Overlay.overlay
        anchors.centerIn: parent
        modal: true
        title: qsTr("Rename conversation")
        standardButtons: Dialog.Ok | Dialog.Cancel
        onOpened: renameField.forceActiveFocus()
        onAccepted: AppController.renameConversation(conversationId, renameField.text)
        TextField {
            id: renameField
            width: 320
            Accessible.name: qsTr("New title")
            onAccepted: renameDialog.accept()
        }
    }
}
