#pragma once
// Settings ▸ Models: the optional vision models (DESIGN §2) — a BLIP captioner that captions
// references on real models, and CLIP and DINO for the paper's measures. Thin: it shows the
// folders and what the worker made of them, and reports what the user chose.
#include <array>
#include <optional>

#include <QDialog>

#include "ui/studio_types.h"

class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QDialogButtonBox;

namespace sa::ui {

class ModelsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ModelsDialog(QWidget* parent = nullptr);
    ~ModelsDialog() override;

    QString folder(VisionRole role) const;
    // The folder a role loads (the worker's answer comes with showInfo()).
    void setLoading(VisionRole role, const QString& folder);
    void showInfo(const VisionModelInfo& info);
    QString statusText(VisionRole role) const;
    bool hasError(VisionRole role) const;

public slots:
    // What Browse does once a folder is picked ("" = Clear).
    void chooseFolder(sa::ui::VisionRole role, const QString& folder);

signals:
    void folderChosen(sa::ui::VisionRole role, const QString& folder);

private:
    struct Row {
        QGroupBox* box;
        QLabel* purpose;
        QLineEdit* path;
        QPushButton *browse, *clear;
        QLabel* status;
        std::optional<VisionModelInfo> info;  // none: loading (or never set)
    };
    Row& row(VisionRole role) { return rows_[static_cast<size_t>(role)]; }
    const Row& row(VisionRole role) const { return rows_[static_cast<size_t>(role)]; }
    void browse(VisionRole role);
    void refreshStatus(VisionRole role);
    void retranslate();
    void changeEvent(QEvent* event) override;

    QLabel* intro_;
    QDialogButtonBox* buttons_;
    std::array<Row, 3> rows_;
};

}  // namespace sa::ui
