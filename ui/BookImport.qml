// "Import my library…": a file dialog for a Goodreads or StoryGraph export CSV or a Calibre
// metadata.db, then a report of what was imported and which rows were skipped. The work is
// AppController.books.importLibrary (C++).
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import Lamplight

Item {
    id: importer

    function open() { fileDialog.open() }
    // Imports `pathOrUrl` and shows the report (also for tests, without the file dialog).
    function importFile(pathOrUrl) {
        AppController.books.importLibrary(pathOrUrl)
        report.open()
    }

    FileDialog {
        id: fileDialog
        title: qsTr("Import my library")
        nameFilters: [qsTr("Library exports (*.csv *.db)"), qsTr("All files (*)")]
        onAccepted: importer.importFile(selectedFile)
    }

    Dialog {
        id: report
        objectName: "bookImportReport"
        parent: Overlay.overlay
        anchors.centerIn: parent
        width: Math.min(520, parent ? parent.width - 40 : 520)
        modal: true
        title: qsTr("Library import")
        standardButtons: Dialog.Ok
        Label {
            width: report.availableWidth
            text: AppController.books.importReport
            wrapMode: Text.Wrap
            color: Theme.text
            font.pixelSize: Theme.fontSize
        }
    }
}
