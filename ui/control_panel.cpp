#include "ui/control_panel.h"

#include <cmath>

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/io/control_image.h"
#include "core/pipeline/set_adapters.h"
#include "ui/image_convert.h"
#include "ui/labeled_slider.h"

namespace sa::ui {
namespace {

constexpr QSize kThumbnail(88, 66);

// A box for a number of set.json: enough decimals to keep what a CLI set holds.
QDoubleSpinBox* numberBox(double maximum, double step, int decimals, const char* name, QWidget* parent) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(0.0, maximum);
    box->setSingleStep(step);
    box->setDecimals(decimals);
    box->setObjectName(name);
    return box;
}

QHBoxLayout* pair(QWidget* a, QWidget* b, QWidget* parent) {
    auto* row = new QHBoxLayout;
    row->addWidget(a, 1);
    row->addWidget(new QLabel("–", parent));
    row->addWidget(b, 1);
    return row;
}

}  // namespace

ControlPanel::ControlPanel(QWidget* parent) : QGroupBox(parent) {
    setObjectName("controlPanel");
    setCheckable(true);
    setChecked(false);
    folder_ = new QLineEdit(this);
    folder_->setObjectName("controlNetFolder");
    browse_ = new QPushButton(this);
    kind_ = new QComboBox(this);
    kind_->setObjectName("controlKind");
    kind_->addItem(QString(), QString("canny"));
    kind_->addItem(QString(), QString("map"));
    count_ = new QComboBox(this);
    count_->setObjectName("controlCount");
    count_->addItem(QString());
    count_->addItem(QString());
    low_ = numberBox(1000.0, 10.0, 1, "cannyLow", this);
    high_ = numberBox(1000.0, 10.0, 1, "cannyHigh", this);
    scale_ = new LabeledSlider(0.0, 2.0, 0.05, this);
    scale_->setObjectName("controlScale");
    start_ = numberBox(1.0, 0.05, 3, "controlStart", this);  // fractions of the steps
    end_ = numberBox(1.0, 0.05, 3, "controlEnd", this);
    mode_ = new QComboBox(this);
    mode_->setObjectName("controlMode");
    mode_->addItem(QString(), QString("every-image"));
    mode_->addItem(QString(), QString("targets-only"));
    for (auto** label : {&folderLabel_, &kindLabel_, &countLabel_, &cannyLabel_, &scaleLabel_, &rangeLabel_, &modeLabel_})
        *label = new QLabel(this);
    notes_ = new QLabel(this);
    notes_->setWordWrap(true);
    notes_->setForegroundRole(QPalette::PlaceholderText);
    rowsHolder_ = new QWidget(this);
    (new QVBoxLayout(rowsHolder_))->setContentsMargins(0, 0, 0, 0);

    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse_);
    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(folderLabel_, folderRow);
    form->addRow(kindLabel_, kind_);
    form->addRow(countLabel_, count_);
    form->addRow(rowsHolder_);
    form->addRow(cannyLabel_, pair(low_, high_, this));
    form->addRow(scaleLabel_, scale_);
    form->addRow(rangeLabel_, pair(start_, end_, this));
    form->addRow(modeLabel_, mode_);
    form->addRow(notes_);

    setDefaults(ControlSpec{});
    images_.resize(1);
    connect(browse_, &QPushButton::clicked, this, &ControlPanel::browseControlNet);
    connect(folder_, &QLineEdit::editingFinished, this, [this] { emit changed(); });
    connect(this, &QGroupBox::toggled, this, [this] { emit changed(); });
    connect(kind_, &QComboBox::currentIndexChanged, this, [this] {
        const bool canny = kind_->currentData().toString() == "canny";
        low_->setEnabled(canny);
        high_->setEnabled(canny);
        refreshMaps();
    });
    connect(count_, &QComboBox::currentIndexChanged, this, &ControlPanel::rebuildRows);
    for (auto* box : {low_, high_}) connect(box, &QDoubleSpinBox::valueChanged, this, &ControlPanel::refreshMaps);
    for (auto* box : {start_, end_}) connect(box, &QDoubleSpinBox::valueChanged, this, [this] { emit changed(); });
    connect(mode_, &QComboBox::currentIndexChanged, this, [this] {
        refreshReferenceRow();
        emit changed();
    });
    connect(scale_, &LabeledSlider::valueChanged, this, [this](double value) {
        scaleValue_ = std::round(value * 100) / 100;  // the notches' decimal, not the slider's sum of steps
        emit changed();
    });
    rebuildRows();
    retranslate();
}

void ControlPanel::retranslate() {
    setTitle(tr("ControlNet"));
    setToolTip(tr("Steer the set's composition with a ControlNet: edges or maps that the images follow."));
    folderLabel_->setText(tr("ControlNet:"));
    folder_->setPlaceholderText(tr("a diffusers ControlNet folder"));
    folder_->setToolTip(tr("The ControlNet: a diffusers folder (config.json + weights) made for the model's family, "
                           "e.g. lllyasviel/sd-controlnet-canny for SD 1.5."));
    browse_->setText(tr("Browse…"));
    kindLabel_->setText(tr("Images are:"));
    kind_->setItemText(0, tr("Photos: their Canny edges steer"));
    kind_->setItemText(1, tr("Control maps, used as given"));
    kind_->setToolTip(tr("Canny: each image's edges (OpenCV Canny, white on black) are the control map, for a Canny "
                         "ControlNet. Map: the image is the control map itself (depth, pose, scribble, …)."));
    countLabel_->setText(tr("Images:"));
    count_->setItemText(0, tr("One for every image"));
    count_->setItemText(1, tr("One per image (reference first)"));
    cannyLabel_->setText(tr("Canny thresholds:"));
    low_->setToolTip(tr("Lower hysteresis threshold: weaker edges connected to strong ones are kept above it."));
    high_->setToolTip(tr("Upper hysteresis threshold: edges stronger than this are always kept."));
    scaleLabel_->setText(tr("Strength:"));
    scale_->setToolTip(tr("How strongly the ControlNet steers (diffusers' controlnet_conditioning_scale; 1 = as trained)."));
    rangeLabel_->setText(tr("Steps:"));
    start_->setToolTip(tr("The fraction of the steps at which the control starts (0 = from the first step)."));
    end_->setToolTip(tr("The fraction of the steps at which the control ends (1 = to the last step); ending early "
                        "leaves the details free."));
    modeLabel_->setText(tr("Steers:"));
    mode_->setItemText(0, tr("Every image"));
    mode_->setItemText(1, tr("Targets only"));
    const QString every = tr("Every image, the reference included, follows its control map (diffusers' ControlNet "
                             "pipeline).");
    const QString targets = tr("The new images follow their maps; the reference is generated without control, as "
                               "google/style-aligned's ControlNet demo does (its map is not used).");
    mode_->setItemData(0, every, Qt::ToolTipRole);
    mode_->setItemData(1, targets, Qt::ToolTipRole);
    mode_->setToolTip(every + "\n\n" + targets);
    rebuildRows();  // row titles are translated
}

void ControlPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QGroupBox::changeEvent(event);
}

bool ControlPanel::perImage() const { return count_->currentIndex() == 1; }

void ControlPanel::setPerImage(bool perImage) { count_->setCurrentIndex(perImage ? 1 : 0); }

ControlSpec ControlPanel::mapSettings() const {
    ControlSpec spec;
    spec.kind = kind_->currentData().toString().toStdString();
    spec.low = low_->value();
    spec.high = high_->value();
    return spec;
}

std::optional<ControlSpec> ControlPanel::spec() const {
    if (!isChecked()) return std::nullopt;
    auto spec = mapSettings();
    spec.model = folder_->text().trimmed().toStdString();
    for (int i = 0; i < rowCount(); ++i) spec.images.push_back(images_[static_cast<size_t>(i)].file.toStdString());
    spec.scale = scaleValue_;
    spec.start = start_->value();
    spec.end = end_->value();
    spec.mode = mode_->currentData().toString().toStdString();
    return spec;
}

std::vector<cv::Mat> ControlPanel::sources() const {
    std::vector<cv::Mat> out;
    for (int i = 0; i < rowCount(); ++i) out.push_back(images_[static_cast<size_t>(i)].source);
    return out;
}

void ControlPanel::setDefaults(const ControlSpec& d) {
    kind_->setCurrentIndex(std::max(0, kind_->findData(QString::fromStdString(d.kind))));
    low_->setValue(d.low);
    high_->setValue(d.high);
    scaleValue_ = d.scale;
    scale_->setValue(d.scale);
    start_->setValue(d.start);
    end_->setValue(d.end);
    mode_->setCurrentIndex(std::max(0, mode_->findData(QString::fromStdString(d.mode))));
    if (!d.model.empty()) folder_->setText(QString::fromStdString(d.model));
}

void ControlPanel::setSpec(const std::optional<ControlSpec>& spec, const std::vector<cv::Mat>& sources) {
    if (!spec) return setChecked(false);
    setDefaults(*spec);
    folder_->setText(QString::fromStdString(spec->model));
    images_.assign(spec->images.size(), {});
    for (size_t i = 0; i < spec->images.size(); ++i)
        images_[i] = {QString::fromStdString(spec->images[i]), i < sources.size() ? sources[i] : cv::Mat(), {}};
    {
        const QSignalBlocker block(count_);  // the rows are rebuilt once, below
        setPerImage(spec->images.size() > 1);
    }
    rebuildRows();
    setChecked(true);
}

QString ControlPanel::problem() const {
    if (!isChecked()) return {};
    if (folder_->text().trimmed().isEmpty()) return tr("Choose the ControlNet folder (ControlNet ▸ Browse…), or switch the ControlNet off.");
    for (int i = 0; i < rowCount(); ++i)
        if (images_[static_cast<size_t>(i)].source.empty())
            return tr("Choose a control image for \"%1\" (ControlNet ▸ Choose…).").arg(rows_[static_cast<size_t>(i)].title->text());
    return {};
}

void ControlPanel::setImageTitles(const QStringList& titles) {
    if (titles == titles_) return;
    titles_ = titles;
    rebuildRows();
}

void ControlPanel::setImageSize(int width, int height) {
    if (width == width_ && height == height_) return;
    width_ = width;
    height_ = height;
    for (int i = 0; i < rowCount(); ++i) refreshRow(i);
}

cv::Mat ControlPanel::map(int row) const { return images_.at(static_cast<size_t>(row)).map; }

QPixmap ControlPanel::thumbnail(int row) const { return rows_.at(static_cast<size_t>(row)).thumb->pixmap(); }

QString ControlPanel::controlNetFolder() const { return folder_->text().trimmed(); }

void ControlPanel::setControlNetFolder(const QString& folder) {
    folder_->setText(folder);
    emit changed();
}

void ControlPanel::rebuildRows() {
    const int count = perImage() ? std::max<int>(1, static_cast<int>(titles_.size())) : 1;
    // New rows of "one per image" start from the first row's image (the usual start: one picture).
    const auto first = images_.empty() ? Image{} : images_.front();
    if (static_cast<int>(images_.size()) < count) images_.resize(static_cast<size_t>(count), first);
    // A new grid each time: a grid whose rows change in place keeps the old rows' heights.
    if (rowsGrid_) {
        rowsGrid_->hide();
        rowsGrid_->deleteLater();
    }
    rowsGrid_ = new QWidget(rowsHolder_);
    rowsHolder_->layout()->addWidget(rowsGrid_);
    auto* grid = new QGridLayout(rowsGrid_);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setColumnStretch(2, 1);
    rows_.clear();
    for (int i = 0; i < count; ++i) {
        Row row{new QLabel(rowsGrid_), new QLabel(rowsGrid_), new QLabel(rowsGrid_), new QPushButton(tr("Choose…"), rowsGrid_)};
        row.title->setText(!perImage() ? tr("Every image") : titles_.value(i, tr("Image %1").arg(i)));
        row.title->setMaximumWidth(110);
        row.title->setToolTip(row.title->text());
        row.thumb->setFixedSize(kThumbnail);
        row.thumb->setAlignment(Qt::AlignCenter);
        row.thumb->setFrameShape(QFrame::StyledPanel);
        row.thumb->setObjectName(QString("controlThumbnail%1").arg(i));
        row.name->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // elided by the layout, never wider
        row.choose->setObjectName(QString("chooseControl%1").arg(i));
        row.choose->setToolTip(tr("Choose the image whose edges (or map) steer this image"));
        grid->addWidget(row.title, i, 0);
        grid->addWidget(row.thumb, i, 1);
        grid->addWidget(row.name, i, 2);
        grid->addWidget(row.choose, i, 3);
        connect(row.choose, &QPushButton::clicked, this, [this, i] { chooseImage(i); });
        rows_.push_back(row);
    }
    refreshReferenceRow();
    refreshMaps();
}

void ControlPanel::refreshReferenceRow() {
    if (!perImage() || rows_.empty()) return;
    const bool used = mode_->currentData().toString() == "every-image";
    const auto& row = rows_.front();
    for (QWidget* w : std::initializer_list<QWidget*>{row.title, row.thumb, row.name}) w->setEnabled(used);
    row.title->setToolTip(used ? row.title->text()
                               : tr("Targets only: the reference is generated without control, so its map is not used."));
}

void ControlPanel::refreshMaps() {
    const auto settings = mapSettings();
    const bool valid = settings.kind != "canny" || settings.low <= settings.high;
    for (auto& image : images_)
        image.map = image.source.empty() || !valid ? cv::Mat() : controlMaps(settings, {image.source}).front();
    for (int i = 0; i < rowCount(); ++i) refreshRow(i);
    notes_->setText(valid ? QString() : tr("The lower Canny threshold is above the upper one."));
    emit changed();
}

void ControlPanel::refreshRow(int i) {
    const auto& image = images_.at(static_cast<size_t>(i));
    const auto& row = rows_.at(static_cast<size_t>(i));
    row.name->setText(image.file.isEmpty() ? tr("(no image)") : QFileInfo(image.file).fileName());
    row.name->setToolTip(QDir::toNativeSeparators(image.file));
    if (image.map.empty()) {
        row.thumb->setPixmap({});
        row.thumb->setText(tr("none"));
        return;
    }
    // The pipeline stretches every map to the set's size: show it in that shape.
    const double aspect = width_ > 0 && height_ > 0 ? double(width_) / height_ : double(image.map.cols) / image.map.rows;
    const QSize shape = QSize(static_cast<int>(std::lround(1000 * aspect)), 1000).scaled(kThumbnail, Qt::KeepAspectRatio);
    row.thumb->setPixmap(QPixmap::fromImage(toQImage(image.map).scaled(shape, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)));
    row.thumb->setToolTip(tr("The control map as the ControlNet sees it (%1 × %2 px before it is fitted to the set's size)")
                              .arg(image.map.cols)
                              .arg(image.map.rows));
}

bool ControlPanel::setImageFile(int row, const QString& file) {
    if (row < 0 || row >= rowCount()) return false;
    try {
        const auto read = readControlImage(file.toStdString());
        images_[static_cast<size_t>(row)] = {QFileInfo(file).absoluteFilePath(), read.image, {}};
        refreshMaps();
        if (!read.note().empty()) notes_->setText(QFileInfo(file).fileName() + ": " + QString::fromStdString(read.note()));
        return true;
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
        return false;
    }
}

void ControlPanel::chooseImage(int row) {
    const auto file = QFileDialog::getOpenFileName(this, tr("Choose a control image"), startFolder_,
                                                   tr("Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"));
    if (file.isEmpty()) return;
    startFolder_ = QFileInfo(file).absolutePath();
    emit imageFolderUsed(startFolder_);
    setImageFile(row, file);
}

void ControlPanel::browseControlNet() {
    const auto folder = QFileDialog::getExistingDirectory(this, tr("ControlNet folder"), folder_->text());
    if (folder.isEmpty()) return;
    if (!QFileInfo::exists(folder + "/config.json"))
        return emit errorOccurred(tr("%1 has no config.json: choose a diffusers ControlNet folder (config.json and "
                                     "diffusion_pytorch_model.safetensors).").arg(folder));
    setControlNetFolder(folder);
    emit controlNetFolderChosen(folder);
}

}  // namespace sa::ui
