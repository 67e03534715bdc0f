// The colours, sizes and fonts of the window, light and dark. `dark` follows the user's choice
// (the settings panel will set it; light until then).
pragma Singleton
import QtQuick

QtObject {
    id: theme

    property bool dark: false
    property real fontScale: 1.0

    readonly property color window: dark ? "#1e1f22" : "#f7f7f8"
    readonly property color sidebar: dark ? "#17181a" : "#ececef"
    readonly property color surface: dark ? "#2b2d31" : "#ffffff"
    readonly property color userBubble: dark ? "#30415c" : "#dce8fb"
    readonly property color assistantBubble: dark ? "#2b2d31" : "#ffffff"
    readonly property color border: dark ? "#3b3d42" : "#d6d6dc"
    readonly property color text: dark ? "#e8e8ea" : "#1b1b1f"
    readonly property color mutedText: dark ? "#a0a3aa" : "#5d6068"
    readonly property color accent: dark ? "#7aa7ff" : "#2f6bdf"
    readonly property color accentText: "#ffffff"
    readonly property color selection: dark ? "#34373d" : "#d9dbe3"
    readonly property color hover: dark ? "#272a2e" : "#e2e3e8"
    readonly property color danger: dark ? "#ff7b72" : "#c62828"
    readonly property color warning: dark ? "#e3b341" : "#9a6700"

    readonly property int fontSize: Math.round(14 * fontScale)
    readonly property int smallFontSize: Math.round(12 * fontScale)
    readonly property int titleFontSize: Math.round(16 * fontScale)
    readonly property int spacing: 8
    readonly property int radius: 8
    readonly property int sidebarWidth: 270
    readonly property int contentMaxWidth: 820
}
