#pragma once
// The layer plan (core/style/layer_plan.h) as a tree of the UNet's self-attention layers grouped
// by block and resolution. Selecting a block edits all its layers at once. The panel renders
// the plan it holds and emits it whenever the user changes something.
#include <QWidget>

#include "core/style/layer_plan.h"
#include "ui/studio_types.h"

class QTreeWidget;
class QTreeWidgetItem;
class QComboBox;
class QCheckBox;
class QPushButton;
class QSpinBox;
class QGroupBox;
class QLabel;

namespace sa::ui {

class LabeledSlider;

class LayerPlanPanel : public QWidget {
    Q_OBJECT
public:
    explicit LayerPlanPanel(QWidget* parent = nullptr);

    void setLayers(const std::vector<LayerInfo>& layers);  // a new model: the plan resets to the preset
    void setSteps(int steps);                              // range of the step controls
    const LayerPlan& plan() const { return plan_; }
    const std::vector<std::string>& layerPaths() const { return paths_; }
    void setPlan(const LayerPlan& plan);
    void applyPreset(const QString& name);
    QString presetName() const;
    bool isUnchangedPreset() const;  // the plan is exactly the chosen preset (no edits)
    void setStartFolder(const QString& folder) { startFolder_ = folder; }

    // Programmatic edits of the selected layers (what the editor's controls call).
    void selectLayer(const QString& path);  // a layer path or a block name
    void setShareStrength(double w);
    void setAdain(int which, double blend);  // 0 = queries, 1 = keys, 2 = values

public slots:
    void resetToPaper();
    void loadFromFile(const QString& file);
    void saveToFile(const QString& file);

signals:
    void planChanged(const sa::LayerPlan& plan);
    void errorOccurred(const QString& message);
    void folderUsed(const QString& folder);

private:
    void rebuildTree();
    void refreshTree();
    void refreshEditor();
    std::vector<std::string> selectedPaths() const;
    void editSelected(const std::function<void(LayerSettings&)>& edit);
    void retranslate();
    void changeEvent(QEvent* event) override;

    std::vector<LayerInfo> layers_;
    std::vector<std::string> paths_;  // layers_' paths, the plan's keys
    LayerPlan plan_;
    int steps_ = 50;
    bool updating_ = false;
    QString startFolder_;

    QComboBox* preset_;
    QPushButton *reset_, *load_, *save_;
    QCheckBox *groupNorm_, *layerNorm_, *fullShare_;
    QTreeWidget* tree_;
    QGroupBox* editor_;
    QCheckBox* share_;
    LabeledSlider *strength_, *keyScale_, *adainQ_, *adainK_, *adainV_;
    QSpinBox *firstStep_, *lastStep_;
    QLabel *presetLabel_, *stepsLabel_;
    std::vector<std::pair<QLabel*, const char*>> formLabels_;  // label, untranslated text
};

}  // namespace sa::ui
