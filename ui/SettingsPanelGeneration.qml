// The settings panel's first page: how answers are sampled, how long they and the context may be,
// which backend runs the model, and the system prompts. Every change is saved at once and used by
// the next answer; a backend change reloads the model (its progress shows here and in the status
// bar).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Lamplight

ColumnLayout {
    id: page
    spacing: Theme.spacing * 1.5

    readonly property var limits: AppSettings.limits
    readonly property var gen: AppController.generation

    component Heading: Text {
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        color: Theme.text
        font.pixelSize: Theme.titleFontSize
        font.bold: true
        Accessible.role: Accessible.Heading
        Accessible.name: text
    }

    component PromptArea: TextArea {
        Layout.fillWidth: true
        Layout.preferredHeight: Math.max(implicitHeight, 70 * Theme.fontScale)
        wrapMode: TextArea.Wrap
        font.pixelSize: Theme.fontSize
        color: enabled ? Theme.text : Theme.mutedText
        placeholderTextColor: Theme.mutedText
        selectionColor: Theme.accent
        selectedTextColor: Theme.accentText
        // Tab moves on (a system prompt rarely needs a tab character).
        Keys.onTabPressed: event => { nextItemInFocusChain().forceActiveFocus(Qt.TabFocusReason) }
        background: Rectangle {
            radius: Theme.radius
            color: Theme.surface
            border.color: parent.activeFocus ? Theme.accent : Theme.border
        }
    }

    Heading { text: qsTr("Sampling") }

    SettingsPanelNumber {
        objectName: "temperature"
        label: qsTr("Temperature")
        hint: qsTr("0 always picks the most likely word; higher values give more varied answers.")
        value: AppSettings.temperature
        from: page.limits.temperature.min; to: page.limits.temperature.max
        step: 0.05; decimals: 2
        onEdited: v => AppSettings.temperature = v
    }
    SettingsPanelNumber {
        objectName: "topK"
        label: qsTr("Top-k")
        hint: qsTr("Choose among the k most likely words only; 0 turns it off.")
        value: AppSettings.topK
        from: page.limits.topK.min; to: page.limits.topK.max
        onEdited: v => AppSettings.topK = v
    }
    SettingsPanelNumber {
        objectName: "topP"
        label: qsTr("Top-p")
        hint: qsTr("Choose among the most likely words that together reach this probability; 1 turns it off.")
        value: AppSettings.topP
        from: page.limits.topP.min; to: page.limits.topP.max
        step: 0.01; decimals: 2
        onEdited: v => AppSettings.topP = v
    }
    SettingsPanelNumber {
        objectName: "minP"
        label: qsTr("Min-p")
        hint: qsTr("Leave out words less likely than this fraction of the most likely one; 0 turns it off.")
        value: AppSettings.minP
        from: page.limits.minP.min; to: page.limits.minP.max
        step: 0.01; decimals: 2
        onEdited: v => AppSettings.minP = v
    }
    SettingsPanelNumber {
        objectName: "repeatPenalty"
        label: qsTr("Repeat penalty")
        hint: qsTr("Makes words already used less likely; 1 turns it off.")
        value: AppSettings.repeatPenalty
        from: page.limits.repeatPenalty.min; to: page.limits.repeatPenalty.max
        step: 0.01; decimals: 2
        onEdited: v => AppSettings.repeatPenalty = v
    }
    SettingsPanelNumber {
        objectName: "repeatLastN"
        label: qsTr("Repeat penalty window")
        hint: qsTr("How many recent tokens the penalty looks at; -1 the whole conversation, 0 none.")
        value: AppSettings.repeatLastN
        from: page.limits.repeatLastN.min; to: page.limits.repeatLastN.max
        step: 8
        onEdited: v => AppSettings.repeatLastN = v
    }
    SettingsPanelNumber {
        objectName: "seed"
        label: qsTr("Seed")
        hint: qsTr("-1 draws a new random seed for every answer; any other number repeats answers exactly.")
        value: AppSettings.seed
        from: page.limits.seed.min; to: page.limits.seed.max
        onEdited: v => AppSettings.seed = v
    }

    Heading { text: qsTr("Answer and context") }

    SettingsPanelNumber {
        objectName: "maxTokens"
        label: qsTr("Maximum answer length (tokens)")
        hint: qsTr("0: until the model stops or the context is full.")
        value: AppSettings.maxTokens
        from: page.limits.maxTokens.min; to: page.limits.maxTokens.max
        step: 128
        onEdited: v => AppSettings.maxTokens = v
    }
    SettingsPanelNumber {
        objectName: "contextLength"
        label: qsTr("Context length (tokens)")
        hint: qsTr("0: the model's own, at most 4096. Longer contexts use more memory.")
        value: AppSettings.contextLength
        from: page.limits.contextLength.min; to: page.limits.contextLength.max
        step: 512
        onEdited: v => AppSettings.contextLength = v
    }
    SettingsPanelNumber {
        objectName: "threads"
        label: qsTr("CPU threads")
        hint: qsTr("0: every hardware thread.")
        value: AppSettings.threads
        from: page.limits.threads.min; to: page.limits.threads.max
        onEdited: v => AppSettings.threads = v
    }
    SettingsPanelChoice {
        objectName: "autoTitles"
        label: qsTr("Titles of new conversations")
        choices: [
            { value: "model", label: qsTr("Summarised by the model") },
            { value: "first", label: qsTr("The first message") }
        ]
        current: AppSettings.autoTitles ? "model" : "first"
        onChosen: value => AppSettings.autoTitles = value === "model"
    }

    Heading { text: qsTr("Backend") }

    SettingsPanelChoice {
        objectName: "backend"
        label: qsTr("Run the model on")
        // Read when the page shows: the first read enumerates the Vulkan devices, which need not
        // slow down the window's start.
        choices: page.visible ? AppSettings.backendChoices : []
        current: AppSettings.backend
        onChosen: value => AppSettings.backend = value
    }
    Text {
        Layout.fillWidth: true
        visible: page.gen.modelLoaded && !page.gen.loading
        text: page.gen.fallbackReason.length > 0
              ? qsTr("Running on %1 (%2): %3").arg(page.gen.backend).arg(page.gen.device).arg(page.gen.fallbackReason)
              : qsTr("Running on %1 (%2).").arg(page.gen.backend).arg(page.gen.device)
        color: page.gen.fallbackReason.length > 0 ? Theme.warning : Theme.mutedText
        font.pixelSize: Theme.smallFontSize
        wrapMode: Text.Wrap
    }
    ColumnLayout {
        Layout.fillWidth: true
        visible: page.gen.loading
        spacing: 2
        Text {
            text: qsTr("Reloading the model: %1").arg(page.gen.loadStage)
            color: Theme.text
            font.pixelSize: Theme.smallFontSize
        }
        ProgressBar {
            Layout.fillWidth: true
            from: 0; to: 1
            value: page.gen.loadProgress
            palette.dark: Theme.accent
            palette.midlight: Theme.selection
            Accessible.name: qsTr("Model loading progress")
        }
    }

    Heading { text: qsTr("System prompt") }

    Text {
        Layout.fillWidth: true
        text: qsTr("Default, for every conversation without one of its own:")
        color: Theme.text
        font.pixelSize: Theme.fontSize
        wrapMode: Text.Wrap
    }
    PromptArea {
        objectName: "defaultSystemPrompt"
        text: AppSettings.systemPrompt
        placeholderText: qsTr("For example: You are a helpful assistant.")
        Accessible.name: qsTr("Default system prompt")
        onTextChanged: AppSettings.systemPrompt = text
    }
    Text {
        Layout.fillWidth: true
        text: AppController.currentConversationId !== 0
              ? qsTr("This conversation only (empty: use the default):")
              : qsTr("Open a conversation to give it a system prompt of its own.")
        color: Theme.text
        font.pixelSize: Theme.fontSize
        wrapMode: Text.Wrap
    }
    PromptArea {
        objectName: "conversationSystemPrompt"
        enabled: AppController.currentConversationId !== 0
        text: AppController.currentSystemPrompt
        Accessible.name: qsTr("System prompt of this conversation")
        onEditingFinished: AppController.currentSystemPrompt = text
    }
}
