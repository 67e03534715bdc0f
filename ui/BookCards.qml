// Under a book-assistant answer: the books it recommends as cards (BookCard.qml), and the titles
// the grounding check could not verify as a warning line, never as cards. Empty for other answers.
import QtQuick
import QtQuick.Layouts
import Lamplight

ColumnLayout {
    id: cards
    property var messageId: 0
    // Read again whenever the controller's results change (a finished answer, a card's button).
    readonly property var books: AppController.books.revision >= 0 ? AppController.books.cards(messageId) : []
    readonly property var flags: AppController.books.revision >= 0 ? AppController.books.flagged(messageId) : []
    spacing: 6
    visible: books.length > 0 || flags.length > 0

    Text {
        visible: cards.books.length > 0
        text: cards.books.length > 0 && cards.books[0].recommended ? qsTr("Recommended from the catalogue")
                                                                   : qsTr("Books from the catalogue that match your request")
        color: Theme.mutedText
        font.pixelSize: Theme.smallFontSize
        font.bold: true
    }
    Repeater {
        model: cards.books
        delegate: BookCard {
            required property var modelData
            Layout.fillWidth: true
            bookId: modelData.bookId
            title: modelData.title
            subtitle: modelData.subtitle
            author: modelData.author
            year: modelData.year
            why: modelData.why
            description: modelData.description
            shelf: modelData.state
            onMarkReadClicked: id => AppController.books.markRead(id)
            onNotInterestedClicked: id => AppController.books.notInterested(id)
        }
    }
    Repeater {
        model: cards.flags
        delegate: Text {
            required property string modelData
            objectName: "groundingFlag"
            Layout.fillWidth: true
            text: "⚠ " + modelData
            color: Theme.warning
            font.pixelSize: Theme.smallFontSize
            wrapMode: Text.Wrap
        }
    }
}
