// The book assistant's cards (ui/BookCard.qml, ui/BookCards.qml) and its window entries: a card
// shows its book, its "Mark as read" / "Not interested" buttons send the book's id once and are
// done after (the controller then reports the book's shelf), a tap shows the catalogue entry; an
// answer without results shows nothing; Ctrl+Shift+N (or "New chat ▾" → "Book assistant") starts a
// book-assistant chat and Ctrl+N a plain one. The C++ side of the buttons is tests/test_book_assistant_ui.cpp.
import QtQuick
import QtTest
import Lamplight

Item {
    id: root
    width: 640
    height: 480

    Component {
        id: cardComponent
        BookCard {
            width: 420
            bookId: "herbert-dune"
            title: "Dune"
            subtitle: "沙丘"
            author: "Frank Herbert"
            year: 1965
            why: "science-fiction, epic"
            description: "A desert planet, a spice, a prophecy."
        }
    }
    Component {
        id: cardsComponent
        BookCards { width: 420 }
    }
    Component {
        id: mainComponent
        Main {}
    }
    Component {
        id: spyComponent
        SignalSpy {}
    }

    TestCase {
        name: "BookCard"
        when: windowShown

        function init() { failOnWarning(/.?/) }  // any QML warning fails the test

        function makeCard(properties) {
            const card = createTemporaryObject(cardComponent, root, properties || {})
            verify(card)
            waitForRendering(card)
            return card
        }

        function spyOn(target, signalName) {
            return createTemporaryObject(spyComponent, root, {target: target, signalName: signalName})
        }

        function test_showsTheBook() {
            const card = makeCard()
            compare(findChild(card, "bookTitle").text, "Dune · 沙丘")
            compare(findChild(card, "bookAuthor").text, "Frank Herbert, 1965")
            compare(findChild(card, "bookWhy").text, "Why it fits: science-fiction, epic")
            const ancient = makeCard({year: -800, subtitle: "", why: ""})
            compare(findChild(ancient, "bookTitle").text, "Dune")
            compare(findChild(ancient, "bookAuthor").text, "Frank Herbert, 800 BCE")
            verify(!findChild(ancient, "bookWhy").visible)
            const unknown = makeCard({year: 0})
            compare(findChild(unknown, "bookAuthor").text, "Frank Herbert")
        }

        function test_buttonsSendTheBookOnce() {
            const card = makeCard()
            const read = spyOn(card, "markReadClicked")
            const skip = spyOn(card, "notInterestedClicked")
            mouseClick(findChild(card, "markReadButton"))
            compare(read.count, 1)
            compare(read.signalArguments[0][0], "herbert-dune")
            compare(skip.count, 0)
            mouseClick(findChild(card, "notInterestedButton"))
            compare(skip.count, 1)
            compare(skip.signalArguments[0][0], "herbert-dune")
            compare(read.count, 1)
        }

        function test_markedBookHasItsButtonsDone() {
            const card = makeCard({shelf: "read"})
            const read = spyOn(card, "markReadClicked")
            const skip = spyOn(card, "notInterestedClicked")
            const readButton = findChild(card, "markReadButton")
            compare(readButton.text, "Marked as read")
            verify(!readButton.enabled)
            verify(!findChild(card, "notInterestedButton").enabled)
            mouseClick(readButton)
            mouseClick(findChild(card, "notInterestedButton"))
            compare(read.count, 0)
            compare(skip.count, 0)
            card.shelf = "not-interested"
            compare(findChild(card, "notInterestedButton").text, "Not shown again")
        }

        function test_tapShowsTheCatalogueEntry() {
            const card = makeCard()
            const description = findChild(card, "bookDescription")
            verify(!description.visible)
            mouseClick(card, card.width - 20, 10)
            tryCompare(description, "visible", true)
            compare(description.text, "A desert planet, a spice, a prophecy.")
        }

        function test_answerWithoutResultsShowsNothing() {
            const cards = createTemporaryObject(cardsComponent, root, {messageId: 0})
            verify(cards)
            compare(cards.books.length, 0)
            compare(cards.flags.length, 0)
            verify(!cards.visible)
        }

        function test_shortcutsStartBookAndPlainChats() {
            const window = createTemporaryObject(mainComponent, root)
            verify(window)
            window.requestActivate()
            tryCompare(window, "active", true)
            const label = findChild(window.contentItem, "bookAssistantLabel")
            verify(label)
            compare(AppController.books.active, false)
            verify(!label.visible)
            keyClick(Qt.Key_N, Qt.ControlModifier | Qt.ShiftModifier)
            compare(AppController.books.active, true)
            compare(AppController.currentConversationId, 0)
            verify(label.visible)
            keyClick(Qt.Key_N, Qt.ControlModifier)
            compare(AppController.books.active, false)
            verify(!label.visible)
        }

        function test_newChatMenuStartsABookChat() {
            const window = createTemporaryObject(mainComponent, root)
            verify(window)
            window.requestActivate()
            tryCompare(window, "active", true)
            const button = findChild(window.contentItem, "newChatMenuButton")
            verify(button)
            compare(button.Accessible.name, "More ways to start a chat")
            mouseClick(button)
            const menu = findChild(button, "newChatMenu")
            tryCompare(menu, "opened", true)
            const item = menu.itemAt(1)
            compare(item.objectName, "bookAssistantItem")
            compare(item.text, "Book assistant (Ctrl+Shift+N)")
            compare(menu.itemAt(3).objectName, "importLibraryItem")
            compare(menu.itemAt(3).text, "Import my library…")
            mouseClick(item)
            compare(AppController.books.active, true)
            tryCompare(menu, "opened", false)
            AppController.newConversation()
            compare(AppController.books.active, false)
        }
    }
}
