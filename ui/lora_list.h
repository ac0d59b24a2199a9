#pragma once
// The set's LoRAs (set.json "loras"): one row each — on/off, name, weight slider, remove. A file is
// added only once the worker has read it for the loaded model (Add LoRA… → addRequested; the window
// calls addEntry when the worker accepted it), so a LoRA of another family or with unmatched keys
// never gets a row. Weights and switches only change the entries: the worker applies the list
// before every run, setting the attached LoRAs' scales in place (no reload).
#include <vector>

#include <QWidget>

#include "core/io/image_set.h"

class QCheckBox;
class QLabel;
class QToolButton;
class QVBoxLayout;

namespace sa::ui {

class LabeledSlider;

class LoraList : public QWidget {
    Q_OBJECT
public:
    explicit LoraList(QWidget* parent = nullptr);

    std::vector<LoraEntry> entries() const;  // in order: the order they are applied in
    void setEntries(const std::vector<LoraEntry>& entries);  // an opened set's (replaces the rows)
    // A row for a file the worker accepted; `details` ("kohya, 117 layers") goes into its tooltip.
    void addEntry(const LoraEntry& entry, const QString& details = {});
    bool contains(const QString& file) const;
    int count() const { return static_cast<int>(rows_.size()); }
    QCheckBox* enabledBox(int row) const { return rows_.at(static_cast<size_t>(row)).enabled; }
    LabeledSlider* weightSlider(int row) const { return rows_.at(static_cast<size_t>(row)).weight; }
    void setStartFolder(const QString& folder) { startFolder_ = folder; }
    const QString& startFolder() const { return startFolder_; }

public slots:
    void openFileDialog();
    // Asks for `file` to be checked and added (addRequested), unless it is listed already.
    void requestAdd(const QString& file);
    void removeRow(int row);

signals:
    void addRequested(const QString& file);
    void errorOccurred(const QString& message);
    void folderUsed(const QString& folder);
    void changed();

private:
    struct Row {
        LoraEntry entry;
        QWidget* widget = nullptr;
        QCheckBox* enabled = nullptr;
        QLabel* name = nullptr;
        LabeledSlider* weight = nullptr;
        QToolButton* remove = nullptr;
    };
    void retranslate();
    void changeEvent(QEvent* event) override;
    void showEmptyHint();

    QVBoxLayout* rowsLayout_;
    QLabel* empty_;
    QToolButton* add_;
    std::vector<Row> rows_;
    QString startFolder_;
};

}  // namespace sa::ui
