// The model picker: every GGUF file in the models folder with what it is and the memory it needs for
// the chosen context; choosing one loads it (the open conversation stays and the next answer reads it
// again with the new model). Files that cannot be used are listed with the reason. "Add model file…"
// copies (or links) a file into the folder; the folder itself can be changed.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Lamplight

Popup {
    id: picker
    objectName: "modelPicker"
    readonly property var library: AppController.modelLibrary
    readonly property var generation: AppController.generation

    parent: Overlay.overlay
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 80 : 760, 860)
    height: Math.min(parent ? parent.height - 80 : 560, 640)
    modal: true
    focus: true
    padding: 0
    closePolicy: Popup.CloseOnEscape | Popup.CloseOnPressOutside

    onOpened: library.rescan()

    // The estimates are for the context new conversations get.
    Binding {
        target: picker.library
        property: "contextLength"
        value: AppSettings.contextLength
    }

    background: Rectangle {
        color: Theme.window
        radius: Theme.radius
        border.color: Theme.border
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            Text {
                Layout.fillWidth: true
                text: qsTr("Models")
                color: Theme.text
                font.pixelSize: Theme.titleFontSize
                font.bold: true
            }
            MiniButton {
                text: "✕"
                Accessible.name: qsTr("Close the model picker")
                onClicked: picker.close()
            }
        }

        // The folder, and the context the memory column is for.
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Text {
                Layout.fillWidth: true
                text: qsTr("Folder: %1").arg(picker.library.folder)
                color: Theme.mutedText
                font.pixelSize: Theme.smallFontSize
                elide: Text.ElideMiddle
            }
            MiniButton {
                text: qsTr("Change…")
                Accessible.name: qsTr("Choose another models folder")
                onClicked: folderDialog.open()
            }
            MiniButton {
                text: picker.library.scanning ? qsTr("Scanning…") : qsTr("Rescan")
                enabled: !picker.library.scanning
                onClicked: picker.library.rescan()
            }
            Text {
                text: qsTr("Context")
                color: Theme.mutedText
                font.pixelSize: Theme.smallFontSize
            }
            ComboBox {
                id: contextChoice
                objectName: "contextChoice"
                implicitWidth: 150
                font.pixelSize: Theme.smallFontSize
                textRole: "label"
                valueRole: "tokens"
                // The usual sizes, plus the one set in the settings panel when it is another.
                model: {
                    const choices = [{ label: qsTr("model's own"), tokens: 0 }]
                    const sizes = [2048, 4096, 8192, 16384, 32768]
                    const chosen = AppSettings.contextLength
                    if (chosen > 0 && sizes.indexOf(chosen) < 0)
                        sizes.push(chosen)
                    sizes.sort((a, b) => a - b)
                    for (const tokens of sizes)
                        choices.push({ label: Number(tokens).toLocaleString(Qt.locale(), 'f', 0), tokens: tokens })
                    return choices
                }
                // The context is the generation setting (AppSettings.contextLength) that new sessions get.
                currentIndex: Math.max(0, indexOfValue(AppSettings.contextLength))
                onActivated: AppSettings.contextLength = currentValue
                Accessible.name: qsTr("Context length for the memory estimate")
            }
        }

        Rectangle { Layout.fillWidth: true; Layout.preferredHeight: 1; color: Theme.border }

        ListView {
            id: list
            objectName: "modelList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 4
            model: picker.library.models
            ScrollBar.vertical: ScrollBar {}
            delegate: ModelPickerRow {
                width: ListView.view.width
                loading: picker.generation.loading
                onChosen: {
                    AppController.loadModel(path)
                    picker.close()
                }
            }

            Text {
                anchors.centerIn: parent
                width: parent.width - 40
                visible: list.count === 0 && !picker.library.scanning
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                text: qsTr("No .gguf models in this folder yet. Add a model file, or choose the folder where your models are.")
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize
            }
        }

        Text {
            Layout.fillWidth: true
            visible: picker.library.lastError.length > 0
            text: picker.library.lastError
            color: Theme.danger
            wrapMode: Text.Wrap
            font.pixelSize: Theme.smallFontSize
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Button {
                objectName: "addModelButton"
                text: picker.library.adding ? qsTr("Adding…") : qsTr("Add model file…")
                enabled: !picker.library.adding
                font.pixelSize: Theme.fontSize
                onClicked: fileDialog.open()
            }
            CheckBox {
                id: linkInstead
                text: qsTr("Link instead of copying")
                font.pixelSize: Theme.smallFontSize
                ToolTip.visible: hovered
                ToolTip.text: qsTr("The folder gets a link to the file where it is, so no disk space is used twice.")
            }
            Item { Layout.fillWidth: true }
            Text {
                visible: picker.generation.loading
                text: qsTr("Loading… %1%").arg(Math.round(picker.generation.loadProgress * 100))
                color: Theme.mutedText
                font.pixelSize: Theme.smallFontSize
            }
        }
    }

    FileDialog {
        id: fileDialog
        title: qsTr("Add a GGUF model file")
        nameFilters: [qsTr("GGUF models (*.gguf)"), qsTr("All files (*)")]
        onAccepted: picker.library.addModelFile(selectedFile, linkInstead.checked)
    }
    FolderDialog {
        id: folderDialog
        title: qsTr("Choose the models folder")
        onAccepted: picker.library.folder = selectedFolder
    }
}
