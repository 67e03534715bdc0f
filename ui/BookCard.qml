// One recommended book under a book-assistant answer: title, author, year and why it fits, with
// "Mark as read" and "Not interested" (the next turn leaves the book out). Clicking the card shows
// its catalogue entry (the description). The buttons only emit signals: BookCards.qml sends them to
// AppController.books, so the card is testable on its own (tests/qml/tst_book_card.qml).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

Rectangle {
    id: card
    property string bookId
    property string title
    property string subtitle       // the Chinese or original title, "" when none
    property string author
    property int year: 0           // 0 = unknown, negative = BCE
    property string why            // the retriever's reasons ("science-fiction, dark")
    property string description
    property string shelf          // "", "read" or "not-interested": what the user said already
    property bool expanded: false

    signal markReadClicked(string bookId)
    signal notInterestedClicked(string bookId)

    implicitHeight: column.implicitHeight + 16
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    opacity: shelf === "" ? 1 : 0.75
    Accessible.role: Accessible.Grouping
    Accessible.name: qsTr("Book: %1 by %2").arg(title).arg(author)

    function yearText(y) {
        return y === 0 ? "" : y < 0 ? qsTr("%1 BCE").arg(-y) : String(y)
    }

    TapHandler { onTapped: card.expanded = !card.expanded }

    ColumnLayout {
        id: column
        x: 10
        y: 8
        width: card.width - 20
        spacing: 2

        Text {
            objectName: "bookTitle"
            Layout.fillWidth: true
            text: card.subtitle.length > 0 ? card.title + " · " + card.subtitle : card.title
            color: Theme.text
            font.pixelSize: Theme.fontSize
            font.bold: true
            wrapMode: Text.Wrap
        }
        Text {
            objectName: "bookAuthor"
            Layout.fillWidth: true
            text: card.yearText(card.year).length > 0 ? card.author + ", " + card.yearText(card.year) : card.author
            color: Theme.mutedText
            font.pixelSize: Theme.smallFontSize
            wrapMode: Text.Wrap
        }
        Text {
            objectName: "bookWhy"
            Layout.fillWidth: true
            visible: card.why.length > 0
            text: qsTr("Why it fits: %1").arg(card.why)
            color: Theme.text
            font.pixelSize: Theme.smallFontSize
            wrapMode: Text.Wrap
        }
        Text {
            objectName: "bookDescription"
            Layout.fillWidth: true
            visible: card.expanded && card.description.length > 0
            text: card.description
            color: Theme.mutedText
            font.pixelSize: Theme.smallFontSize
            wrapMode: Text.Wrap
        }
        RowLayout {
            spacing: 2
            MiniButton {
                objectName: "markReadButton"
                text: card.shelf === "read" ? qsTr("Marked as read") : qsTr("Mark as read")
                enabled: card.shelf === ""
                Accessible.name: qsTr("Mark “%1” as read").arg(card.title)
                onClicked: card.markReadClicked(card.bookId)
            }
            MiniButton {
                objectName: "notInterestedButton"
                text: card.shelf === "not-interested" ? qsTr("Not shown again") : qsTr("Not interested")
                enabled: card.shelf === ""
                Accessible.name: qsTr("Not interested in “%1”").arg(card.title)
                onClicked: card.notInterestedClicked(card.bookId)
            }
        }
    }
}
