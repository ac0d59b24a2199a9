#include "ui/layer_plan_panel.h"

#include <fstream>

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/labeled_slider.h"

namespace sa::ui {
namespace {

constexpr int PathRole = Qt::UserRole;

QString settingsSummary(const LayerSettings& s) {
    return QString::number(s.shareStrength, 'f', 2);
}

QString stepRange(const LayerSettings& s) {
    return s.lastStep < 0 ? QString("%1–").arg(s.firstStep) : QString("%1–%2").arg(s.firstStep).arg(s.lastStep);
}

}  // namespace

LayerPlanPanel::LayerPlanPanel(QWidget* parent) : QWidget(parent) {
    preset_ = new QComboBox(this);
    for (const auto& name : LayerPlan::presetNames()) preset_->addItem(QString::fromStdString(name));
    reset_ = new QPushButton(this);
    load_ = new QPushButton(this);
    save_ = new QPushButton(this);
    groupNorm_ = new QCheckBox(this);
    layerNorm_ = new QCheckBox(this);
    fullShare_ = new QCheckBox(this);
    presetLabel_ = new QLabel(this);
    presetLabel_->setBuddy(preset_);

    tree_ = new QTreeWidget(this);
    tree_->setColumnCount(5);
    tree_->setRootIsDecorated(true);
    tree_->setUniformRowHeights(true);
    tree_->header()->setStretchLastSection(false);
    tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < 5; ++c) tree_->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);

    editor_ = new QGroupBox(this);
    share_ = new QCheckBox(editor_);
    strength_ = new LabeledSlider(0.0, 3.0, 0.05, editor_);
    keyScale_ = new LabeledSlider(0.0, 2.0, 0.05, editor_);
    adainQ_ = new LabeledSlider(0.0, 1.0, 0.05, editor_);
    adainK_ = new LabeledSlider(0.0, 1.0, 0.05, editor_);
    adainV_ = new LabeledSlider(0.0, 1.0, 0.05, editor_);
    strength_->setObjectName("strength");
    keyScale_->setObjectName("keyScale");
    adainQ_->setObjectName("adainQueries");
    adainK_->setObjectName("adainKeys");
    adainV_->setObjectName("adainValues");
    tree_->setObjectName("layerTree");
    firstStep_ = new QSpinBox(editor_);
    lastStep_ = new QSpinBox(editor_);
    lastStep_->setMinimum(-1);
    stepsLabel_ = new QLabel(editor_);
    auto* stepsRow = new QHBoxLayout;
    stepsRow->addWidget(firstStep_);
    stepsRow->addWidget(new QLabel("–", editor_));
    stepsRow->addWidget(lastStep_);
    auto* form = new QFormLayout(editor_);
    form->addRow(share_);
    const std::pair<QWidget*, const char*> rows[] = {{strength_, QT_TR_NOOP("Strength")},
                                                     {keyScale_, QT_TR_NOOP("Key scale")},
                                                     {adainQ_, QT_TR_NOOP("AdaIN queries")},
                                                     {adainK_, QT_TR_NOOP("AdaIN keys")},
                                                     {adainV_, QT_TR_NOOP("AdaIN values")}};
    for (const auto& [widget, text] : rows) {
        auto* label = new QLabel(editor_);
        formLabels_.emplace_back(label, text);
        form->addRow(label, widget);
    }
    form->addRow(stepsLabel_, stepsRow);

    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(presetLabel_);
    presetRow->addWidget(preset_, 1);
    presetRow->addWidget(reset_);
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(load_);
    fileRow->addWidget(save_);
    fileRow->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(presetRow);
    layout->addWidget(groupNorm_);
    layout->addWidget(layerNorm_);
    layout->addWidget(fullShare_);
    layout->addWidget(tree_, 1);
    layout->addWidget(editor_);
    layout->addLayout(fileRow);

    connect(preset_, &QComboBox::activated, this, [this](int) { applyPreset(preset_->currentText()); });
    connect(reset_, &QPushButton::clicked, this, &LayerPlanPanel::resetToPaper);
    connect(load_, &QPushButton::clicked, this, [this] {
        loadFromFile(QFileDialog::getOpenFileName(this, tr("Load layer plan"), startFolder_, tr("Layer plans (*.json)")));
    });
    connect(save_, &QPushButton::clicked, this, [this] {
        auto file = QFileDialog::getSaveFileName(this, tr("Save layer plan"), startFolder_ + "/plan.json", tr("Layer plans (*.json)"));
        if (!file.isEmpty() && !file.endsWith(".json")) file += ".json";
        saveToFile(file);
    });
    auto global = [this](QCheckBox* box, bool LayerPlan::*field) {
        connect(box, &QCheckBox::toggled, this, [this, field](bool on) {
            if (updating_) return;
            plan_.*field = on;
            emit planChanged(plan_);
        });
    };
    global(groupNorm_, &LayerPlan::shareGroupNorm);
    global(layerNorm_, &LayerPlan::shareLayerNorm);
    global(fullShare_, &LayerPlan::fullAttentionShare);
    connect(tree_, &QTreeWidget::itemSelectionChanged, this, &LayerPlanPanel::refreshEditor);
    connect(share_, &QCheckBox::toggled, this, [this](bool on) { editSelected([on](LayerSettings& s) { s.share = on; }); });
    connect(strength_, &LabeledSlider::valueChanged, this, &LayerPlanPanel::setShareStrength);
    connect(keyScale_, &LabeledSlider::valueChanged, this,
            [this](double v) { editSelected([v](LayerSettings& s) { s.keyScale = v; }); });
    connect(adainQ_, &LabeledSlider::valueChanged, this, [this](double v) { setAdain(0, v); });
    connect(adainK_, &LabeledSlider::valueChanged, this, [this](double v) { setAdain(1, v); });
    connect(adainV_, &LabeledSlider::valueChanged, this, [this](double v) { setAdain(2, v); });
    connect(firstStep_, &QSpinBox::valueChanged, this,
            [this](int v) { editSelected([v](LayerSettings& s) { s.firstStep = v; }); });
    connect(lastStep_, &QSpinBox::valueChanged, this,
            [this](int v) { editSelected([v](LayerSettings& s) { s.lastStep = v; }); });
    retranslate();
    setSteps(steps_);
}

void LayerPlanPanel::retranslate() {
    presetLabel_->setText(tr("&Preset:"));
    preset_->setToolTip(tr("Ready-made plans: the paper's defaults, shared attention without shared norms, "
                           "style from fine layers only, structure and style, "
                           "reference transfer, or sharing only the deeper layers."));
    reset_->setText(tr("Paper defaults"));
    reset_->setToolTip(tr("Reset every layer to the settings of the StyleAligned paper."));
    load_->setText(tr("Load plan…"));
    load_->setToolTip(tr("Load a layer plan saved as JSON (the same format as the CLI's --plan)."));
    save_->setText(tr("Save plan…"));
    save_->setToolTip(tr("Save this layer plan as JSON for later runs or the CLI."));
    groupNorm_->setText(tr("Share GroupNorm statistics"));
    groupNorm_->setToolTip(tr("Normalise every image with statistics shared with the reference (keeps colours and contrast alike)."));
    layerNorm_->setText(tr("Share LayerNorm statistics"));
    layerNorm_->setToolTip(tr("The same for the transformer's LayerNorms (SDXL)."));
    fullShare_->setText(tr("Full attention sharing (ablation)"));
    fullShare_->setToolTip(tr("Every image attends to every other image, not only to the reference: the paper's ablation, which leaks content."));
    tree_->setHeaderLabels({tr("Layer"), tr("Share"), tr("Strength"), tr("AdaIN"), tr("Steps")});
    tree_->setToolTip(tr("Self-attention layers by block and resolution. Select a block to edit all its layers."));
    editor_->setTitle(tr("Selected layers"));
    share_->setText(tr("Share attention with the reference"));
    share_->setToolTip(tr("Let these layers' queries also attend to the reference image's keys and values."));
    strength_->setToolTip(tr("How much attention goes to the reference: 1 is the paper, 2 doubles it (logits shifted by ln w), 0 turns it off."));
    keyScale_->setToolTip(tr("Scales the reference's keys for the targets: above 1 sharpens attention on the reference."));
    adainQ_->setToolTip(tr("How far the targets' queries are normalised to the reference's statistics (AdaIN)."));
    adainK_->setToolTip(tr("How far the targets' keys are normalised to the reference's statistics (AdaIN)."));
    adainV_->setToolTip(tr("How far the targets' values are normalised to the reference's statistics (AdaIN; off in the paper)."));
    stepsLabel_->setText(tr("Active steps"));
    for (const auto& [label, text] : formLabels_) label->setText(tr(text));
    firstStep_->setToolTip(tr("First denoising step at which these layers share."));
    lastStep_->setToolTip(tr("Last denoising step at which these layers share (to the end: −1)."));
    lastStep_->setSpecialValueText(tr("end"));
    rebuildTree();  // block and layer names are translated
}

void LayerPlanPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void LayerPlanPanel::setLayers(const std::vector<LayerInfo>& layers) {
    layers_ = layers;
    paths_ = ModelInfo{.layers = layers}.selfAttentionPaths();
    plan_ = LayerPlan::preset(presetName().toStdString(), paths_);
    rebuildTree();
    emit planChanged(plan_);
}

void LayerPlanPanel::setSteps(int steps) {
    steps_ = steps;
    const QSignalBlocker a(firstStep_), b(lastStep_);
    firstStep_->setMaximum(std::max(0, steps - 1));
    lastStep_->setMaximum(std::max(0, steps - 1));
}

void LayerPlanPanel::setPlan(const LayerPlan& plan) {
    plan_ = plan;
    refreshTree();
    emit planChanged(plan_);
}

QString LayerPlanPanel::presetName() const { return preset_->currentText(); }

bool LayerPlanPanel::isUnchangedPreset() const {
    return plan_.toJson() == LayerPlan::preset(presetName().toStdString(), paths_).toJson();
}

void LayerPlanPanel::applyPreset(const QString& name) {
    try {
        plan_ = LayerPlan::preset(name.toStdString(), paths_);
        preset_->setCurrentText(name);
        refreshTree();
        emit planChanged(plan_);
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
    }
}

void LayerPlanPanel::resetToPaper() { applyPreset("paper"); }

void LayerPlanPanel::loadFromFile(const QString& file) {
    if (file.isEmpty()) return;
    try {
        startFolder_ = QFileInfo(file).absolutePath();
        emit folderUsed(startFolder_);
        setPlan(LayerPlan::load(file.toStdString(), paths_));
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
    }
}

void LayerPlanPanel::saveToFile(const QString& file) {
    if (file.isEmpty()) return;
    try {
        startFolder_ = QFileInfo(file).absolutePath();
        emit folderUsed(startFolder_);
        plan_.save(file.toStdString());
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
    }
}

void LayerPlanPanel::rebuildTree() {
    tree_->clear();
    std::map<std::string, QTreeWidgetItem*> blocks;
    for (const auto& layer : layers_) {
        auto*& block = blocks[layer.block];
        if (!block) {
            block = new QTreeWidgetItem(tree_);
            auto title = QString::fromStdString(layer.block);
            title.replace("down_blocks.", tr("down ")).replace("up_blocks.", tr("up ")).replace("mid_block", tr("middle"));
            block->setText(0, QString("%1 · %2×%2").arg(title).arg(layer.grid));
            block->setToolTip(0, tr("%1: layers at %2×%2 tokens").arg(QString::fromStdString(layer.block)).arg(layer.grid));
            block->setData(0, PathRole, QString::fromStdString(layer.block));
            block->setExpanded(true);
        }
        auto* item = new QTreeWidgetItem(block);
        // "attentions.1.transformer_blocks.0.attn1" → "attention 1.0"
        auto name = QString::fromStdString(layer.path.substr(layer.block.size() + 1));
        name.replace("attentions.", tr("attn ")).replace(".transformer_blocks.", ".").replace(".attn1", "");
        item->setText(0, name);
        item->setToolTip(0, QString::fromStdString(layer.path));
        item->setData(0, PathRole, QString::fromStdString(layer.path));
    }
    refreshTree();
    if (tree_->topLevelItemCount() > 0) tree_->setCurrentItem(tree_->topLevelItem(0));
}

void LayerPlanPanel::refreshTree() {
    updating_ = true;
    groupNorm_->setChecked(plan_.shareGroupNorm);
    layerNorm_->setChecked(plan_.shareLayerNorm);
    fullShare_->setChecked(plan_.fullAttentionShare);
    for (int b = 0; b < tree_->topLevelItemCount(); ++b) {
        auto* block = tree_->topLevelItem(b);
        int sharing = 0;
        for (int c = 0; c < block->childCount(); ++c) {
            auto* item = block->child(c);
            const auto it = plan_.layers.find(item->data(0, PathRole).toString().toStdString());
            if (it == plan_.layers.end()) continue;
            const auto& s = it->second;
            sharing += s.share;
            item->setCheckState(1, s.share ? Qt::Checked : Qt::Unchecked);
            item->setText(2, settingsSummary(s));
            item->setText(3, QString("%1/%2/%3").arg(s.adainQueries, 0, 'f', 1).arg(s.adainKeys, 0, 'f', 1).arg(s.adainValues, 0, 'f', 1));
            item->setText(4, stepRange(s));
        }
        block->setText(1, QString("%1/%2").arg(sharing).arg(block->childCount()));
    }
    updating_ = false;
    refreshEditor();
}

std::vector<std::string> LayerPlanPanel::selectedPaths() const {
    std::vector<std::string> paths;
    for (auto* item : tree_->selectedItems()) {
        if (item->childCount() > 0) {
            for (int c = 0; c < item->childCount(); ++c) paths.push_back(item->child(c)->data(0, PathRole).toString().toStdString());
        } else {
            paths.push_back(item->data(0, PathRole).toString().toStdString());
        }
    }
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    return paths;
}

void LayerPlanPanel::refreshEditor() {
    const auto paths = selectedPaths();
    editor_->setEnabled(!paths.empty());
    if (paths.empty()) return;
    updating_ = true;
    const auto& first = plan_.layers[paths.front()];
    auto differs = [&](auto field) {
        return std::any_of(paths.begin(), paths.end(), [&](const auto& p) { return plan_.layers[p].*field != first.*field; });
    };
    share_->setTristate(differs(&LayerSettings::share));
    share_->setCheckState(differs(&LayerSettings::share) ? Qt::PartiallyChecked : first.share ? Qt::Checked : Qt::Unchecked);
    share_->setTristate(false);
    const std::pair<LabeledSlider*, double LayerSettings::*> sliders[] = {
        {strength_, &LayerSettings::shareStrength}, {keyScale_, &LayerSettings::keyScale},
        {adainQ_, &LayerSettings::adainQueries},    {adainK_, &LayerSettings::adainKeys},
        {adainV_, &LayerSettings::adainValues}};
    for (const auto& [slider, field] : sliders) {
        slider->setValue(first.*field);
        slider->setMixed(differs(field));
    }
    {
        const QSignalBlocker a(firstStep_), b(lastStep_);
        firstStep_->setValue(first.firstStep);
        lastStep_->setValue(first.lastStep);
    }
    updating_ = false;
}

void LayerPlanPanel::editSelected(const std::function<void(LayerSettings&)>& edit) {
    if (updating_) return;
    const auto paths = selectedPaths();
    if (paths.empty()) return;
    for (const auto& p : paths) edit(plan_.layers[p]);
    refreshTree();
    emit planChanged(plan_);
}

void LayerPlanPanel::selectLayer(const QString& path) {
    tree_->clearSelection();
    for (auto* item : tree_->findItems("*", Qt::MatchWildcard | Qt::MatchRecursive))
        if (item->data(0, PathRole).toString() == path) {
            item->setSelected(true);
            tree_->setCurrentItem(item);
        }
}

void LayerPlanPanel::setShareStrength(double w) { editSelected([w](LayerSettings& s) { s.shareStrength = w; }); }

void LayerPlanPanel::setAdain(int which, double blend) {
    editSelected([which, blend](LayerSettings& s) {
        (which == 0 ? s.adainQueries : which == 1 ? s.adainKeys : s.adainValues) = blend;
    });
}

}  // namespace sa::ui
