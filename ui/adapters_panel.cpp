#include "ui/adapters_panel.h"

#include <QCheckBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/control_panel.h"
#include "ui/lora_list.h"

namespace sa::ui {
namespace {

QSpinBox* spinBox(int maximum, int step, QWidget* parent, const char* name) {
    auto* box = new QSpinBox(parent);
    box->setRange(0, maximum);
    box->setSingleStep(step);
    box->setObjectName(name);
    return box;
}

}  // namespace

AdaptersPanel::AdaptersPanel(QWidget* parent) : QWidget(parent) {
    auto* content = new QWidget(this);
    loraBox_ = new QGroupBox(content);
    loras_ = new LoraList(loraBox_);
    (new QVBoxLayout(loraBox_))->addWidget(loras_);
    control_ = new ControlPanel(content);

    sizeBox_ = new QGroupBox(content);
    width_ = spinBox(8192, 8, sizeBox_, "imageWidth");
    height_ = spinBox(8192, 8, sizeBox_, "imageHeight");
    widthLabel_ = new QLabel(sizeBox_);
    heightLabel_ = new QLabel(sizeBox_);
    auto* sizeForm = new QFormLayout(sizeBox_);
    sizeForm->addRow(widthLabel_, width_);
    sizeForm->addRow(heightLabel_, height_);

    panoramaBox_ = new QGroupBox(content);
    panoramaWidth_ = spinBox(32768, 64, panoramaBox_, "panoramaWidth");
    window_ = spinBox(512, 8, panoramaBox_, "panoramaWindow");
    stride_ = spinBox(512, 1, panoramaBox_, "panoramaStride");
    viewBatch_ = spinBox(64, 1, panoramaBox_, "panoramaViewBatch");
    viewBatch_->setMinimum(1);
    circular_ = new QCheckBox(panoramaBox_);
    circular_->setObjectName("panoramaCircular");
    for (auto** label : {&panoramaWidthLabel_, &windowLabel_, &strideLabel_, &viewBatchLabel_}) *label = new QLabel(panoramaBox_);
    panoramaNote_ = new QLabel(panoramaBox_);
    panoramaNote_->setObjectName("panoramaNote");
    panoramaNote_->setWordWrap(true);
    auto* panoramaForm = new QFormLayout(panoramaBox_);
    panoramaForm->addRow(panoramaWidthLabel_, panoramaWidth_);
    panoramaForm->addRow(windowLabel_, window_);
    panoramaForm->addRow(strideLabel_, stride_);
    panoramaForm->addRow(viewBatchLabel_, viewBatch_);
    panoramaForm->addRow(circular_);
    panoramaForm->addRow(panoramaNote_);

    auto* layout = new QVBoxLayout(content);
    layout->addWidget(loraBox_);
    layout->addWidget(control_);
    layout->addWidget(sizeBox_);
    layout->addWidget(panoramaBox_);
    layout->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    connect(loras_, &LoraList::changed, this, &AdaptersPanel::changed);
    connect(control_, &ControlPanel::changed, this, [this] {
        refreshSize();  // a control next to a panorama is refused: the note says so
        emit changed();
    });
    for (auto* box : {width_, height_, panoramaWidth_, window_, stride_, viewBatch_})
        connect(box, &QSpinBox::valueChanged, this, [this] {
            refreshSize();
            emit changed();
        });
    connect(circular_, &QCheckBox::toggled, this, &AdaptersPanel::changed);
    retranslate();
}

void AdaptersPanel::retranslate() {
    loraBox_->setTitle(tr("LoRA"));
    sizeBox_->setTitle(tr("Image size"));
    widthLabel_->setText(tr("Width:"));
    heightLabel_->setText(tr("Height:"));
    const QString sizeTip = tr("Pixels, a multiple of the model's VAE factor (8 for SD); 0 = the model's own size.");
    width_->setToolTip(sizeTip);
    height_->setToolTip(sizeTip);
    panoramaBox_->setTitle(tr("Panorama (MultiDiffusion)"));
    panoramaWidthLabel_->setText(tr("Panorama width:"));
    panoramaWidth_->setSpecialValueText(tr("off"));
    panoramaWidth_->setToolTip(tr("Pixels; 0 = off. Every new subject becomes a panorama this wide and the set's height "
                                  "tall, denoised window by window (MultiDiffusion), each window sharing attention "
                                  "with a square reference."));
    windowLabel_->setText(tr("Window:"));
    window_->setSpecialValueText(tr("model default"));
    window_->setToolTip(tr("The views' side in latent cells (pixels ÷ the VAE factor); 0 = the model's own size (64 for SD 1.5)."));
    strideLabel_->setText(tr("Stride:"));
    stride_->setSpecialValueText(tr("default (window ÷ 8)"));
    stride_->setToolTip(tr("How far apart the views start, in latent cells; smaller: more views, smoother seams, slower."));
    viewBatchLabel_->setText(tr("Views per batch:"));
    viewBatch_->setToolTip(tr("Views denoised in one UNet call (each with the reference): faster, more memory."));
    circular_->setText(tr("Circular (360°: the ends meet)"));
    circular_->setToolTip(tr("The views wrap around horizontally, so the panorama's right edge continues into its left "
                             "(needs the set's height to be one window)."));
    refreshSize();
}

void AdaptersPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void AdaptersPanel::refreshSize() {
    width_->setSpecialValueText(modelWidth_ > 0 ? tr("model default (%1)").arg(modelWidth_) : tr("model default"));
    height_->setSpecialValueText(modelHeight_ > 0 ? tr("model default (%1)").arg(modelHeight_) : tr("model default"));
    const int width = imageWidth() > 0 ? imageWidth() : modelWidth_;
    const int height = imageHeight() > 0 ? imageHeight() : modelHeight_;
    control_->setImageSize(width, height);
    const bool on = panoramaWidth_->value() > 0;
    for (QWidget* w : std::initializer_list<QWidget*>{window_, stride_, viewBatch_, circular_}) w->setEnabled(on);
    const QString problem = on ? this->problem(referenceImage_) : QString();
    panoramaNote_->setText(!problem.isEmpty() ? problem
                                              : tr("Panoramas take their reference from text (the caption), as "
                                                   "google/style-aligned's MultiDiffusion demo does: no reference image."));
    panoramaNote_->setForegroundRole(problem.isEmpty() ? QPalette::PlaceholderText : QPalette::WindowText);
    panoramaNote_->setStyleSheet(problem.isEmpty() ? QString() : QString("color: #b03030;"));
}

void AdaptersPanel::applyTo(ImageSetSpec& spec) const {
    spec.loras = loras_->entries();
    spec.control = control_->spec();
    spec.width = imageWidth();
    spec.height = imageHeight();
    spec.panorama = panorama();
}

std::vector<cv::Mat> AdaptersPanel::controlSources() const {
    return control_->isChecked() ? control_->sources() : std::vector<cv::Mat>{};
}

void AdaptersPanel::restore(const ImageSetSpec& spec, const std::vector<cv::Mat>& controlSources) {
    loras_->setEntries(spec.loras);
    control_->setSpec(spec.control, controlSources);
    setImageSize(spec.width, spec.height);
    setPanorama(spec.panorama);
}

QString AdaptersPanel::problem(bool withReferenceImage) const {
    if (panoramaWidth_->value() > 0 && withReferenceImage)
        return tr("A panorama takes its reference from text, as google/style-aligned's panorama demo does: remove the "
                  "reference image (Clear), or set the panorama width to off.");
    if (panoramaWidth_->value() > 0 && control_->isChecked())
        return tr("A panorama cannot be steered by a ControlNet (the reference code's panorama has no control): "
                  "switch the ControlNet or the panorama off.");
    return control_->problem();
}

int AdaptersPanel::imageWidth() const { return width_->value(); }
int AdaptersPanel::imageHeight() const { return height_->value(); }

void AdaptersPanel::setImageSize(int width, int height) {
    width_->setValue(width);
    height_->setValue(height);
}

std::optional<PanoramaSpec> AdaptersPanel::panorama() const {
    if (panoramaWidth_->value() == 0) return std::nullopt;
    return PanoramaSpec{.width = panoramaWidth_->value(),
                        .window = window_->value(),
                        .stride = stride_->value(),
                        .circular = circular_->isChecked(),
                        .viewBatch = viewBatch_->value()};
}

void AdaptersPanel::setPanorama(const std::optional<PanoramaSpec>& panorama) {
    const PanoramaSpec p = panorama.value_or(PanoramaSpec{});
    window_->setValue(p.window);
    stride_->setValue(p.stride);
    viewBatch_->setValue(p.viewBatch);
    circular_->setChecked(p.circular);
    panoramaWidth_->setValue(panorama ? p.width : 0);
}

void AdaptersPanel::setModelSize(int width, int height) {
    modelWidth_ = width;
    modelHeight_ = height;
    refreshSize();
}

void AdaptersPanel::setReferenceImage(bool present) {
    referenceImage_ = present;
    refreshSize();
}

void AdaptersPanel::setImageTitles(const QStringList& titles) { control_->setImageTitles(titles); }

}  // namespace sa::ui
