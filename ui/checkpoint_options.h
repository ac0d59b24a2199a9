#pragma once
// Opening models: what a path is (diffusers folder, single-file checkpoint) and the small dialog
// that sets a single file's CheckpointOptions (ui/studio_types.h). The defaults ("Auto") load
// real SD 1.x / 2.x / SDXL checkpoints; the options are for odd files.
#include <QDialog>
#include <QString>

#include "ui/studio_types.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QMimeData;
class QSpinBox;

namespace sa::ui {

// A single-file checkpoint by its name (.safetensors; the pickle formats too, so that the core's
// refusal explains what to do with them).
bool isCheckpointFile(const QString& path);
// A diffusers folder or a checkpoint file: what the studio opens as a model.
bool isModelPath(const QString& path);
// The first dropped local checkpoint file or folder, "" when there is none.
QString droppedModelPath(const QMimeData* mime);
// "sd15.safetensors" for a file, the folder's name for a folder.
QString modelDisplayName(const QString& path);

class CheckpointOptionsDialog : public QDialog {
    Q_OBJECT
public:
    CheckpointOptionsDialog(const QString& file, const CheckpointOptions& options, QWidget* parent = nullptr);

    CheckpointOptions options() const;
    void setOptions(const CheckpointOptions& options);

private:
    void browseConfig();

    QString file_;
    QLineEdit* config_;
    QComboBox *prediction_, *activation_;
    QSpinBox* heads_;
};

}  // namespace sa::ui
