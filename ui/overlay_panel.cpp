#include "ui/overlay_panel.h"

#include <cmath>

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>

namespace sa::ui {
namespace {

constexpr int GridSide = 8;  // the worker's query grid at the last step
constexpr int GridPoints = GridSide * GridSide;

size_t layerSlot(const AttentionSummary& s, int layer) {
    return layer < 0 || layer >= static_cast<int>(s.layers.size()) ? s.averageIndex() : static_cast<size_t>(layer);
}

}  // namespace

void OverlayStore::add(AttentionSummary summary) {
    const int step = summary.step;
    steps_[step] = std::move(summary);
}

const AttentionSummary* OverlayStore::at(int step) const {
    auto it = steps_.upper_bound(step);
    if (it == steps_.begin()) return nullptr;
    return &std::prev(it)->second;
}

std::vector<std::string> OverlayStore::layers() const { return steps_.empty() ? std::vector<std::string>{} : steps_.begin()->second.layers; }

cv::Mat OverlayStore::shareMap(const OverlayView& v, int target) const {
    const auto* s = view(v);
    if (!s || s->share.empty()) return {};
    const auto& maps = s->share[layerSlot(*s, v.layer)];
    return target >= 0 && target < static_cast<int>(maps.size()) ? maps[static_cast<size_t>(target)] : cv::Mat();
}

cv::Mat OverlayStore::tokenMap(const OverlayView& v, int target) const {
    const auto* s = view(v);
    if (!s || s->cross.empty()) return {};
    const auto& perTarget = s->cross[layerSlot(*s, v.layer)];
    if (target < 0 || target >= static_cast<int>(perTarget.size())) return {};
    const auto& tokens = perTarget[static_cast<size_t>(target)];
    return v.token >= 0 && v.token < static_cast<int>(tokens.size()) ? tokens[static_cast<size_t>(v.token)] : cv::Mat();
}

cv::Mat OverlayStore::pointMap(const OverlayView& v, int target, QPointF point, bool livePoint, QPointF* snapped) const {
    auto lookup = [&](const AttentionSummary* s) -> const std::vector<cv::Mat>* {
        if (!s || s->points.empty()) return nullptr;
        const auto& perTarget = s->points[layerSlot(*s, v.layer)];
        if (target < 0 || target >= static_cast<int>(perTarget.size())) return nullptr;
        return &perTarget[static_cast<size_t>(target)];
    };
    const auto* maps = lookup(view(v));
    if (livePoint && maps && !maps->empty() && (maps->size() == 1 || maps->size() == GridPoints + 1)) {
        if (snapped) *snapped = point;
        return maps->front();
    }
    if (!maps || maps->size() < GridPoints) maps = lookup(at(latestStep()));  // the grid exists at the last step only
    if (!maps || maps->size() < GridPoints) return {};
    const int gx = std::clamp(static_cast<int>(point.x() * GridSide), 0, GridSide - 1);
    const int gy = std::clamp(static_cast<int>(point.y() * GridSide), 0, GridSide - 1);
    if (snapped) *snapped = QPointF((gx + 0.5) / GridSide, (gy + 0.5) / GridSide);
    return (*maps)[maps->size() - GridPoints + static_cast<size_t>(gy * GridSide + gx)];
}

std::vector<std::pair<int, std::vector<double>>> OverlayStore::shareHistory() const {
    std::vector<std::pair<int, std::vector<double>>> out;
    for (const auto& [step, s] : steps_) out.emplace_back(step, s.meanShare);
    return out;
}

OverlayPanel::OverlayPanel(QWidget* parent) : QWidget(parent) {
    mode_ = new QComboBox(this);
    layer_ = new QComboBox(this);
    token_ = new QComboBox(this);
    step_ = new QSlider(Qt::Horizontal, this);
    opacity_ = new QSlider(Qt::Horizontal, this);
    opacity_->setRange(0, 100);
    opacity_->setValue(40);
    live_ = new QCheckBox(this);
    live_->setChecked(true);
    clearPoint_ = new QPushButton(this);
    modeLabel_ = new QLabel(this);
    layerLabel_ = new QLabel(this);
    tokenLabel_ = new QLabel(this);
    stepLabel_ = new QLabel(this);
    opacityLabel_ = new QLabel(this);
    stepValue_ = new QLabel(this);
    pointHint_ = new QLabel(this);
    pointHint_->setWordWrap(true);
    for (int i = 0; i < 4; ++i) mode_->addItem({});
    mode_->setCurrentIndex(1);

    auto* stepRow = new QHBoxLayout;
    stepRow->addWidget(step_, 1);
    stepRow->addWidget(stepValue_);
    stepRow->addWidget(live_);
    auto* form = new QFormLayout(this);
    form->addRow(modeLabel_, mode_);
    form->addRow(layerLabel_, layer_);
    form->addRow(tokenLabel_, token_);
    form->addRow(stepLabel_, stepRow);
    form->addRow(opacityLabel_, opacity_);
    form->addRow(pointHint_);
    form->addRow(clearPoint_);

    for (auto* box : {mode_, layer_, token_}) connect(box, &QComboBox::currentIndexChanged, this, &OverlayPanel::viewChanged);
    connect(opacity_, &QSlider::valueChanged, this, &OverlayPanel::viewChanged);
    connect(step_, &QSlider::valueChanged, this, [this](int value) {
        if (step_->isSliderDown()) live_->setChecked(false);
        stepValue_->setText(QString::number(value + 1));
        emit viewChanged();
    });
    connect(live_, &QCheckBox::toggled, this, &OverlayPanel::viewChanged);
    connect(clearPoint_, &QPushButton::clicked, this, &OverlayPanel::clearPointRequested);
    retranslate();
    setLayers({});
    setSteps(1);
}

void OverlayPanel::retranslate() {
    mode_->setItemText(0, tr("Off"));
    mode_->setItemText(1, tr("Attention on the reference"));
    mode_->setItemText(2, tr("Where a point attends"));
    mode_->setItemText(3, tr("Prompt token"));
    mode_->setToolTip(tr("What the heat map over each new image shows."));
    modeLabel_->setText(tr("&Overlay:"));
    modeLabel_->setBuddy(mode_);
    layerLabel_->setText(tr("&Layer:"));
    layerLabel_->setBuddy(layer_);
    layer_->setToolTip(tr("The self-attention layer whose maps are shown, or the average of all layers."));
    if (layer_->count() > 0) layer_->setItemText(0, tr("Average of all layers"));
    tokenLabel_->setText(tr("&Token:"));
    tokenLabel_->setBuddy(token_);
    token_->setToolTip(tr("The prompt word whose cross-attention map is shown."));
    stepLabel_->setText(tr("&Step:"));
    stepLabel_->setBuddy(step_);
    step_->setToolTip(tr("The denoising step whose maps are shown."));
    live_->setText(tr("Live"));
    live_->setToolTip(tr("Follow the latest step while generating."));
    opacityLabel_->setText(tr("O&pacity:"));
    opacityLabel_->setBuddy(opacity_);
    opacity_->setToolTip(tr("How strongly the heat map covers the image."));
    clearPoint_->setText(tr("Clear point"));
    clearPoint_->setToolTip(tr("Remove the query point."));
    setPointHint(hint_);
}

void OverlayPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

OverlayView OverlayPanel::view() const {
    OverlayView v;
    v.mode = static_cast<OverlayMode>(mode_->currentIndex());
    v.layer = layer_->currentIndex() - 1;
    v.token = std::max(0, token_->currentIndex());
    v.step = live_->isChecked() ? -1 : step_->value();
    v.opacity = opacity_->value() / 100.0;
    return v;
}

void OverlayPanel::setLayers(const std::vector<std::string>& layers) {
    const QSignalBlocker block(layer_);
    const int current = layer_->currentIndex();
    layer_->clear();
    layer_->addItem(tr("Average of all layers"));
    for (const auto& l : layers) layer_->addItem(QString::fromStdString(l));
    layer_->setCurrentIndex(current >= 0 && current < layer_->count() ? current : 0);
}

void OverlayPanel::setTokens(const QStringList& tokens) {
    const QSignalBlocker block(token_);
    const int current = token_->currentIndex();
    token_->clear();
    token_->addItems(tokens);
    token_->setCurrentIndex(current >= 0 && current < token_->count() ? current : 0);
}

void OverlayPanel::setSteps(int steps) {
    const QSignalBlocker block(step_);
    step_->setRange(0, std::max(0, steps - 1));
    step_->setValue(step_->maximum());
    stepValue_->setText(QString::number(step_->value() + 1));
}

void OverlayPanel::setMode(OverlayMode mode) { mode_->setCurrentIndex(static_cast<int>(mode)); }
void OverlayPanel::setLayerIndex(int layer) { layer_->setCurrentIndex(layer + 1); }

void OverlayPanel::setPointHint(const QString& hint) {
    hint_ = hint;
    pointHint_->setText(hint.isEmpty() ? tr("Click a point on a new image to see where it attends in the reference.") : hint);
}

}  // namespace sa::ui
