// The colours, sizes and fonts of the window, light and dark, driven by the settings: the theme
// (light, dark, or the system's) and the body text size, which every other text size follows.
pragma Singleton
import QtQuick
import Lamplight

QtObject {
    id: theme

    // Qt 6.4 has no QStyleHints::colorScheme yet (6.5 adds it), so "follow the system" reads the
    // platform's palette instead: a dark window colour means a dark desktop. It updates when the
    // desktop switches.
    readonly property SystemPalette systemPalette: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property bool systemDark: systemPalette.window.hslLightness < 0.5
    // "light" or "dark" for this run only, over the setting (screenshots, `lamplight --theme`);
    // "" follows AppSettings.theme.
    property string runTheme: ""
    readonly property bool dark: runTheme !== "" ? runTheme === "dark"
                                 : AppSettings.theme === "dark" || (AppSettings.theme === "system" && systemDark)
    // Every text size is a multiple of the body size the user chose (14 px by default).
    readonly property real fontScale: AppSettings.fontSize / 14

    // Text colours keep a WCAG contrast of at least 4.5:1 against window, sidebar, surface and
    // bubbles in both themes (tests/qml/tst_theme.qml checks it).
    readonly property color window: dark ? "#1e1f22" : "#f7f7f8"
    readonly property color sidebar: dark ? "#17181a" : "#ececef"
    readonly property color surface: dark ? "#2b2d31" : "#ffffff"
    readonly property color userBubble: dark ? "#30415c" : "#dce8fb"
    readonly property color assistantBubble: dark ? "#2b2d31" : "#ffffff"
    readonly property color border: dark ? "#3b3d42" : "#d6d6dc"
    readonly property color text: dark ? "#e8e8ea" : "#1b1b1f"
    readonly property color mutedText: dark ? "#b0b3ba" : "#5d6068"
    readonly property color accent: dark ? "#7aa7ff" : "#2a62cf"
    readonly property color accentText: dark ? "#10131a" : "#ffffff"
    readonly property color selection: dark ? "#34373d" : "#d9dbe3"
    readonly property color hover: dark ? "#272a2e" : "#e2e3e8"
    readonly property color danger: dark ? "#ff7b72" : "#c62828"
    readonly property color warning: dark ? "#e3b341" : "#875a00"

    readonly property int fontSize: Math.round(14 * fontScale)
    readonly property int smallFontSize: Math.round(12 * fontScale)
    readonly property int titleFontSize: Math.round(16 * fontScale)
    readonly property int spacing: 8
    readonly property int radius: 8
    readonly property int sidebarWidth: Math.round(270 * Math.max(1, fontScale))
    readonly property int contentMaxWidth: 820
}
