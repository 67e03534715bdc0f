// The status bar while a model loads: the progress, a Cancel button with an accessible name, and
// Esc, both wired to the generation controller's cancelLoad(). A stand-in controller plays the
// load (a real one would finish or fail before the test could look); Main.qml's own Esc (stop the
// answer) stays off while a load runs, so the two never compete.
import QtQuick
import QtQuick.Controls
import QtTest
import Lamplight

Item {
    id: root
    width: 900
    height: 200

    // The properties and the one method StatusBar uses, as GenerationController has them.
    QtObject {
        id: fakeGen
        property bool modelLoaded: false
        property string modelName: ""
        property bool loading: false
        property string loadStage: ""
        property real loadProgress: 0
        property string backend: ""
        property string device: ""
        property string fallbackReason: ""
        property real tokensPerSecond: 0
        property int contextUsed: 0
        property int contextSize: 0
        property int cancels: 0
        function cancelLoad() { cancels += 1; loading = false }
    }

    Component {
        id: barComponent
        StatusBar { width: root.width; gen: fakeGen }
    }

    Component {
        id: mainComponent
        Main {}
    }

    TestCase {
        name: "StatusBar"
        when: windowShown

        property var bar: null

        function init() {
            failOnWarning(/.?/)  // any QML warning fails the test
            AppSettings.language = "en"
            fakeGen.loading = true
            fakeGen.loadStage = "reading the weights"
            fakeGen.loadProgress = 0.4
            fakeGen.cancels = 0
            bar = createTemporaryObject(barComponent, root)
            verify(bar)
        }

        function cleanup() {
            fakeGen.loading = false
        }

        function test_loadShowsProgressAndANamedCancelButton() {
            const progress = findChild(bar, "loadProgressBar")
            verify(progress)
            verify(progress.visible)
            compare(progress.value, 0.4)
            compare(findChild(bar, "loadPercent").text, "40 %")
            const cancel = findChild(bar, "cancelLoadButton")
            verify(cancel.visible)
            compare(cancel.Accessible.name, "Cancel loading the model (Esc)")
            mouseClick(cancel)
            compare(fakeGen.cancels, 1)
            // Cancelled: the load is over and the controls go away.
            verify(!cancel.visible)
            verify(!progress.visible)
        }

        function test_escCancelsOnlyWhileLoading() {
            root.Window.window.requestActivate()
            tryCompare(root.Window.window, "active", true)
            keyClick(Qt.Key_Escape)
            compare(fakeGen.cancels, 1)
            keyClick(Qt.Key_Escape)  // nothing loads any more: Esc is not taken
            compare(fakeGen.cancels, 1)
        }

        function test_noCancelWithoutALoad() {
            fakeGen.loading = false
            verify(!findChild(bar, "cancelLoadButton").visible)
            verify(!findChild(bar, "loadProgressBar").visible)
        }

        function test_chineseNames() {
            AppSettings.language = "zh_CN"
            compare(findChild(bar, "cancelLoadButton").text, "取消")
            compare(findChild(bar, "cancelLoadButton").Accessible.name, "取消加载模型（Esc）")
            AppSettings.language = "en"
            compare(findChild(bar, "cancelLoadButton").text, "Cancel")
        }

        // The real window: no model loads here, so neither Esc shortcut is on and no Cancel shows.
        function test_realWindowShowsNoCancelWithoutALoad() {
            const window = createTemporaryObject(mainComponent, root)
            verify(window)
            verify(!AppController.generation.loading)
            const cancel = findChild(window.contentItem, "cancelLoadButton")
            verify(cancel)
            verify(!cancel.visible)
            window.close()
        }
    }
}
