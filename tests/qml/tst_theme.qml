// The theme follows AppSettings: light, dark, or the system's; text sizes follow the font-size
// setting; and in both themes every text colour reads against every background it is drawn on
// (WCAG 2 contrast ratio, computed here from the sRGB formula, at least 4.5:1 for body text).
import QtQuick
import QtTest
import Lamplight

TestCase {
    name: "Theme"

    function init() { failOnWarning(/.?/) }  // any QML warning fails the test
    function cleanup() { AppSettings.resetToDefaults() }

    // WCAG 2.1 relative luminance and contrast ratio.
    function luminance(c) {
        const lin = v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4)
        return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
    }
    function contrast(a, b) {
        const la = luminance(a), lb = luminance(b)
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05)
    }

    function checkContrast(themeName) {
        const backgrounds = ["window", "sidebar", "surface", "userBubble", "assistantBubble", "selection"]
        const pairs = []
        for (const bg of backgrounds)
            for (const fg of ["text", "mutedText"])
                pairs.push([fg, bg])
        pairs.push(["warning", "sidebar"], ["warning", "window"], ["danger", "window"],
                   ["danger", "surface"], ["accentText", "accent"], ["accentText", "danger"],
                   ["accent", "surface"])
        for (const [fg, bg] of pairs) {
            const ratio = contrast(Theme[fg], Theme[bg])
            verify(ratio >= 4.5, themeName + ": " + fg + " on " + bg + " has contrast "
                   + ratio.toFixed(2) + ", below 4.5")
        }
    }

    function test_contrastInBothThemes() {
        AppSettings.theme = "light"
        compare(Theme.dark, false)
        checkContrast("light")
        AppSettings.theme = "dark"
        compare(Theme.dark, true)
        checkContrast("dark")
    }

    function test_contrastCheckCatchesABadPair() {
        // The check itself: white on the light window would fail it.
        verify(contrast(Qt.color("#ffffff"), Qt.color("#f7f7f8")) < 1.1)
        fuzzyCompare(contrast(Qt.color("#000000"), Qt.color("#ffffff")), 21, 1e-9)
    }

    function test_runThemeOverridesWithoutSaving() {
        AppSettings.theme = "light"
        Theme.runTheme = "dark"
        compare(Theme.dark, true)
        compare(AppSettings.theme, "light")
        Theme.runTheme = ""
        compare(Theme.dark, false)
    }

    function test_systemFollowsThePlatformPalette() {
        AppSettings.theme = "system"
        compare(Theme.dark, Theme.systemPalette.window.hslLightness < 0.5)
    }

    function test_fontSizesFollowTheSetting() {
        AppSettings.fontSize = 14
        compare(Theme.fontSize, 14)
        compare(Theme.smallFontSize, 12)
        compare(Theme.titleFontSize, 16)
        AppSettings.fontSize = 28
        compare(Theme.fontSize, 28)
        compare(Theme.smallFontSize, 24)
        compare(Theme.titleFontSize, 32)
    }
}
