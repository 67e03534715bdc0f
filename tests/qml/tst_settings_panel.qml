// The settings panel, driven by keyboard as a user without a mouse would: every control is reached
// with Tab and has an accessible name; arrow keys and typing change the settings (clamped to their
// ranges); the theme, text size and language apply at once; Chinese text renders with real glyphs.
import QtQuick
import QtQuick.Controls
import QtTest
import Lamplight

Item {
    id: root
    width: 900
    height: 800

    Component {
        id: panelComponent
        SettingsPanel {}
    }

    // Two different Chinese characters: with a CJK font they are different glyphs; without one
    // both would be the same "missing glyph" box.
    Row {
        id: cjk
        y: 10
        Text { id: hanA; text: "设"; font.pixelSize: 32; color: "black" }
        Text { id: hanB; text: "置"; font.pixelSize: 32; color: "black" }
    }

    TestCase {
        name: "SettingsPanel"
        when: windowShown

        property var panel: null

        function init() {
            failOnWarning(/.?/)  // any QML warning fails the test
            AppSettings.resetToDefaults()
            AppSettings.language = "en"
            AppSettings.theme = "light"
            panel = createTemporaryObject(panelComponent, root)
            verify(panel)
            panel.open()
            tryCompare(panel, "opened", true)
        }

        function cleanup() {
            AppSettings.resetToDefaults()
            AppSettings.language = "en"
        }

        function row(name) {
            const item = findChild(panel.contentItem, name)
            verify(item, "no control named " + name + " in the panel")
            return item
        }

        // The control behind the item that has the keyboard focus (a SpinBox's text field, …).
        function namedControl(item) {
            for (let i = item; i && i !== panel.contentItem; i = i.parent)
                if (i.Accessible.name.length > 0)
                    return i
            return null
        }

        // Walks the Tab chain of a page from the focused tab until it comes round; every control on
        // the way has an accessible name, and `expected` are all among them.
        function checkTabChain(page, expected) {
            panel.currentPage = page
            verify(panel.contentItem.Window.activeFocusItem, "the panel takes the focus when it opens")
            findChild(panel.contentItem, "closeButton").forceActiveFocus(Qt.TabFocusReason)
            const seen = []
            const names = []
            for (let step = 0; step < 60; ++step) {
                const focused = panel.contentItem.Window.activeFocusItem
                verify(focused, "nothing has the focus after " + names)
                const control = namedControl(focused)
                verify(control, "a focusable item without an accessible name: " + focused)
                if (seen.indexOf(control) >= 0)
                    break
                seen.push(control)
                names.push(control.Accessible.name)
                keyClick(Qt.Key_Tab)
            }
            for (const name of expected)
                verify(names.indexOf(name) >= 0, name + " is not reachable with Tab: " + names)
        }

        function test_tabReachesEveryControlAndEachHasAName_data() {
            return [
                { tag: "generation", page: 0,
                  expected: ["Temperature", "Top-k", "Top-p", "Min-p", "Repeat penalty",
                             "Repeat penalty window", "Seed", "Maximum answer length (tokens)",
                             "Context length (tokens)", "CPU threads", "Run the model on",
                             "Default system prompt", "Reset generation settings",
                             "Close settings (Esc)", "Generation", "Appearance"] },
                { tag: "appearance", page: 1,
                  expected: ["Theme", "Text size (pixels)", "Language", "Reset generation settings",
                             "Close settings (Esc)", "Generation", "Appearance"] }
            ]
        }

        function test_tabReachesEveryControlAndEachHasAName(data) {
            checkTabChain(data.page, data.expected)
        }

        function test_arrowKeysAndTypingChangeTheSetting() {
            const temperature = row("temperature").spinBox
            temperature.contentItem.forceActiveFocus()
            keyClick(Qt.Key_Up)
            fuzzyCompare(AppSettings.temperature, 0.85, 1e-9)
            keyClick(Qt.Key_Down)
            keyClick(Qt.Key_Down)
            fuzzyCompare(AppSettings.temperature, 0.75, 1e-9)

            // Typing a value past the range: the spin box and the setting hold the maximum.
            temperature.contentItem.selectAll()
            keyClick(Qt.Key_9)
            keyClick(Qt.Key_Return)
            fuzzyCompare(AppSettings.temperature, 2.0, 1e-9)
            compare(temperature.displayText, "2.00")

            const topK = row("topK").spinBox
            topK.contentItem.forceActiveFocus()
            topK.contentItem.selectAll()
            keyClick(Qt.Key_7)
            keyClick(Qt.Key_Return)
            compare(AppSettings.topK, 7)
        }

        function test_settingChangedElsewhereShowsInThePanel() {
            AppSettings.minP = 0.2
            compare(row("minP").spinBox.displayText, "0.20")
            AppSettings.backend = "vulkan:1"
            compare(row("backend").comboBox.currentText, "GPU 1: Test GPU B")
        }

        function test_backendChoiceListsTheDevices() {
            const combo = row("backend").comboBox
            compare(combo.count, 4)  // Auto, CPU and the two test GPUs
            combo.forceActiveFocus()
            keyClick(Qt.Key_Down)  // Auto → CPU
            compare(AppSettings.backend, "cpu")
            keyClick(Qt.Key_Down)
            compare(AppSettings.backend, "vulkan:0")
        }

        function test_titleChoiceTurnsModelTitlesOff() {
            const combo = row("autoTitles").comboBox
            compare(combo.currentText, "Summarised by the model")
            combo.forceActiveFocus()
            keyClick(Qt.Key_Down)
            compare(AppSettings.autoTitles, false)
            AppSettings.autoTitles = true
            compare(combo.currentText, "Summarised by the model")
        }

        function test_themeAppliesAtOnce() {
            panel.currentPage = 1
            const combo = row("theme").comboBox
            compare(combo.currentText, "Light")
            compare(Theme.dark, false)
            combo.forceActiveFocus()
            keyClick(Qt.Key_Down)  // Light → Dark
            compare(AppSettings.theme, "dark")
            compare(Theme.dark, true)
            verify(Qt.colorEqual(Theme.window, "#1e1f22"))
            verify(Qt.colorEqual(panel.background.color, Theme.window))
            // The controls' own backgrounds follow too (not left light by an inherited palette).
            verify(Qt.colorEqual(combo.background.color, "#2b2d31"), combo.background.color)
            verify(Qt.colorEqual(row("fontSize").spinBox.background.color, "#2b2d31"))
            verify(Qt.colorEqual(findChild(panel.contentItem, "closeButton").background.color, "#2b2d31"))
        }

        function textItems(item, found) {
            for (let i = 0; i < item.children.length; ++i) {
                const child = item.children[i]
                if (child.font !== undefined && typeof child.text === "string")
                    found.push(child)
                textItems(child, found)
            }
            return found
        }

        // Every text of both pages (labels, hints, spin boxes, combo boxes, buttons, tabs).
        function test_everyTextFollowsTheFontSize() {
            const items = textItems(panel.contentItem, [])
            verify(items.length > 40, "found only " + items.length + " text items")
            const before = items.map(item => item.font.pixelSize)
            AppSettings.fontSize = 24
            const unscaled = []
            for (let i = 0; i < items.length; ++i)
                if (!(items[i].font.pixelSize > before[i]))
                    unscaled.push(items[i].text + " (" + before[i] + " → " + items[i].font.pixelSize + ")")
            compare(unscaled.length, 0, "texts that do not follow the font size: " + unscaled.join(", "))
        }

        function test_textSizeScalesEveryText() {
            panel.currentPage = 1
            const preview = row("fontPreview")
            const title = row("title")
            compare(preview.font.pixelSize, 14)
            const titleBefore = title.font.pixelSize
            const size = row("fontSize").spinBox
            size.contentItem.forceActiveFocus()
            size.contentItem.selectAll()
            keyClick(Qt.Key_2)
            keyClick(Qt.Key_1)
            keyClick(Qt.Key_Return)
            compare(AppSettings.fontSize, 21)
            compare(preview.font.pixelSize, 21)
            compare(Theme.smallFontSize, 18)  // round(12 × 21/14)
            verify(title.font.pixelSize > titleBefore)
        }

        function test_languageSwitchesAtRunTime() {
            panel.currentPage = 1
            const title = row("title")
            compare(title.text, "Settings")
            const combo = row("language").comboBox
            combo.forceActiveFocus()
            keyClick(Qt.Key_Down)  // English → 简体中文
            compare(AppSettings.language, "zh_CN")
            compare(title.text, "设置")
            compare(row("theme").comboBox.currentText, "浅色")
            compare(row("language").comboBox.currentText, "简体中文")
            AppSettings.language = "en"
            compare(title.text, "Settings")
        }

        function test_resetButtonRestoresSampling() {
            AppSettings.temperature = 1.5
            AppSettings.seed = 3
            mouseClick(findChild(panel.contentItem, "resetButton"))
            fuzzyCompare(AppSettings.temperature, 0.8, 1e-6)
            compare(AppSettings.seed, -1)
        }

        function test_chineseTextRenders() {
            panel.close()
            tryCompare(panel, "visible", false)
            verify(hanA.implicitWidth > 0 && hanB.implicitWidth > 0)
            const a = grabImage(hanA)
            const b = grabImage(hanB)
            verify(!a.equals(b), "two different Chinese characters drew the same glyph: is a CJK font (fonts-noto-cjk) installed?")
        }

        function test_escapeCloses() {
            row("temperature").spinBox.contentItem.forceActiveFocus()
            keyClick(Qt.Key_Escape)
            tryCompare(panel, "opened", false)
        }
    }
}
