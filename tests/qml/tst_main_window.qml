// The main window's keyboard shortcuts and accessibility: Ctrl+, opens the settings and Esc
// closes them, Ctrl+N starts a new chat, Ctrl+F jumps to the search field, Ctrl+= / Ctrl+- change
// the text size, and the window follows the theme and language settings at once.
import QtQuick
import QtQuick.Controls
import QtTest
import Lamplight

Item {
    id: root

    Component {
        id: mainComponent
        Main {}
    }

    TestCase {
        name: "MainWindow"
        when: windowShown

        property var window: null

        function init() {
            failOnWarning(/.?/)  // any QML warning fails the test
            AppSettings.resetToDefaults()
            AppSettings.language = "en"
            AppSettings.theme = "light"
            window = createTemporaryObject(mainComponent, root)
            verify(window)
            window.requestActivate()
            tryCompare(window, "active", true)
        }

        function cleanup() {
            AppController.newConversation()
            AppSettings.resetToDefaults()
        }

        function test_ctrlCommaOpensSettingsAndEscCloses() {
            compare(window.settingsPanel.opened, false)
            keyClick(Qt.Key_Comma, Qt.ControlModifier)
            tryCompare(window.settingsPanel, "opened", true)
            keyClick(Qt.Key_Escape)
            tryCompare(window.settingsPanel, "opened", false)
        }

        function test_settingsButtonHasANameAndOpensThePanel() {
            const button = findChild(window.contentItem, "settingsButton")
            verify(button)
            compare(button.Accessible.name, "Settings (Ctrl+,)")
            mouseClick(button)
            tryCompare(window.settingsPanel, "opened", true)
            window.settingsPanel.close()
        }

        function test_ctrlNStartsANewChat() {
            AppController.currentConversationId = 42
            compare(AppController.currentConversationId, 42)
            keyClick(Qt.Key_N, Qt.ControlModifier)
            compare(AppController.currentConversationId, 0)
        }

        function test_ctrlFFocusesTheSearch() {
            keyClick(Qt.Key_F, Qt.ControlModifier)
            const focused = window.activeFocusItem
            verify(focused)
            compare(focused.Accessible.name, "Search conversations")
        }

        function test_ctrlPlusMinusChangeTheTextSize() {
            compare(AppSettings.fontSize, 14)
            keyClick(Qt.Key_Equal, Qt.ControlModifier)
            compare(AppSettings.fontSize, 15)
            keyClick(Qt.Key_Minus, Qt.ControlModifier)
            keyClick(Qt.Key_Minus, Qt.ControlModifier)
            compare(AppSettings.fontSize, 13)
        }

        // Every item that shows text (Text, text fields, buttons' labels), visible or not.
        function textItems(item, found) {
            for (let i = 0; i < item.children.length; ++i) {
                const child = item.children[i]
                if (child.font !== undefined && child.text !== undefined && typeof child.text === "string")
                    found.push(child)
                textItems(child, found)
            }
            return found
        }

        function test_everyTextScalesWithTheFontSize() {
            wait(50)
            const items = textItems(window.contentItem, [])
            verify(items.length > 10, "found only " + items.length + " text items")
            const before = items.map(item => item.font.pixelSize)
            AppSettings.fontSize = 28
            const unscaled = []
            for (let i = 0; i < items.length; ++i)
                if (!(items[i].font.pixelSize > before[i]))
                    unscaled.push((items[i].text || items[i].objectName || items[i]) + " (" + before[i] + " → "
                                  + items[i].font.pixelSize + ")")
            compare(unscaled.length, 0, "texts that do not follow the font size: " + unscaled.join(", "))
        }

        function test_windowFollowsThemeAndLanguage() {
            verify(Qt.colorEqual(window.color, "#f7f7f8"))
            AppSettings.theme = "dark"
            verify(Qt.colorEqual(window.color, "#1e1f22"))
            const button = findChild(window.contentItem, "settingsButton")
            compare(window.title, "New chat — Lamplight")
            AppSettings.language = "zh_CN"
            compare(button.Accessible.name, "设置（Ctrl+,）")
            // Texts made in C++ (tr() in AppController) follow as well.
            compare(window.title, "新对话 — Lamplight")
            AppSettings.language = "en"
            compare(button.Accessible.name, "Settings (Ctrl+,)")
            compare(window.title, "New chat — Lamplight")
        }
    }
}
