#include "ui/reference_pane.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/io/image.h"
#include "ui/checkpoint_options.h"
#include "ui/image_convert.h"

namespace sa::ui {

// A square that shows the reference and accepts dropped image files (or image data).
class DropArea : public QWidget {
public:
    explicit DropArea(ReferencePane* pane) : QWidget(pane), pane_(pane) {
        setAcceptDrops(true);
        setMinimumSize(200, 160);
        setMaximumHeight(240);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    }
    void setImage(const QImage& image) {
        image_ = image;
        update();
    }
    int heightForWidth(int w) const override { return w; }
    bool hasHeightForWidth() const override { return true; }

protected:
    void dragEnterEvent(QDragEnterEvent* event) override {
        // A checkpoint or a model folder is left to the window, which opens it as the model.
        if (!droppedModelPath(event->mimeData()).isEmpty() && !event->mimeData()->hasImage()) return event->ignore();
        if (event->mimeData()->hasUrls() || event->mimeData()->hasImage()) {
            event->acceptProposedAction();
            hovering_ = true;
            update();
        }
    }
    void dragLeaveEvent(QDragLeaveEvent*) override {
        hovering_ = false;
        update();
    }
    void dropEvent(QDropEvent* event) override {
        hovering_ = false;
        update();
        const auto* mime = event->mimeData();
        if (mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().front().isLocalFile()) {
            pane_->loadFile(mime->urls().front().toLocalFile());
        } else if (mime->hasImage()) {
            pane_->setImage(toMat(qvariant_cast<QImage>(mime->imageData())), ReferencePane::tr("dropped image"));
        }
        event->acceptProposedAction();
    }
    void mouseDoubleClickEvent(QMouseEvent*) override { pane_->openFileDialog(); }
    void paintEvent(QPaintEvent*) override {
        QPainter p(this);
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        const QRect area = rect().adjusted(1, 1, -1, -1);
        p.fillRect(area, palette().base());
        if (!image_.isNull()) {
            const QSize fitted = image_.size().scaled(area.size(), Qt::KeepAspectRatio);
            const QRect target(area.center() - QPoint(fitted.width() / 2, fitted.height() / 2), fitted);
            p.drawImage(target, image_);
        } else {
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(area.adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap,
                       ReferencePane::tr("Drop a reference image here\nor double-click to open one.\n\n"
                                         "Without an image, the caption below describes a reference "
                                         "that is generated from text."));
        }
        QPen pen(hovering_ ? palette().color(QPalette::Highlight) : palette().color(QPalette::Mid));
        pen.setStyle(image_.isNull() ? Qt::DashLine : Qt::SolidLine);
        pen.setWidth(hovering_ ? 3 : 1);
        p.setPen(pen);
        p.drawRect(area);
    }

private:
    ReferencePane* pane_;
    QImage image_;
    bool hovering_ = false;
};

ReferencePane::ReferencePane(QWidget* parent) : QWidget(parent) {
    drop_ = new DropArea(this);
    drop_->setObjectName("referenceDrop");
    examples_ = new QComboBox(this);
    open_ = new QPushButton(this);
    paste_ = new QPushButton(this);
    clear_ = new QPushButton(this);
    recaption_ = new QPushButton(this);
    caption_ = new QLineEdit(this);
    caption_->setObjectName("caption");
    captionLabel_ = new QLabel(this);
    source_ = new QLabel(this);
    source_->setWordWrap(true);
    source_->setStyleSheet("color: palette(mid);");
    captionLabel_->setBuddy(caption_);
    caption_->setClearButtonEnabled(true);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(open_);
    buttons->addWidget(paste_);
    buttons->addWidget(clear_);
    auto* captionRow = new QHBoxLayout;
    captionRow->addWidget(caption_, 1);
    captionRow->addWidget(recaption_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(drop_, 1);
    layout->addWidget(source_);
    layout->addLayout(buttons);
    layout->addWidget(examples_);
    layout->addWidget(captionLabel_);
    layout->addLayout(captionRow);

    connect(open_, &QPushButton::clicked, this, &ReferencePane::openFileDialog);
    connect(paste_, &QPushButton::clicked, this, &ReferencePane::pasteFromClipboard);
    connect(clear_, &QPushButton::clicked, this, &ReferencePane::clearImage);
    connect(recaption_, &QPushButton::clicked, this, [this] {
        if (!image_.empty()) emit captionRequested(image_);
    });
    connect(examples_, &QComboBox::activated, this, [this](int index) {
        const auto file = examples_->itemData(index).toString();
        if (!file.isEmpty()) loadFile(file);
        examples_->setCurrentIndex(0);
    });
    retranslate();
    setImage({}, {});
}

void ReferencePane::retranslate() {
    open_->setText(tr("&Open…"));
    open_->setToolTip(tr("Open a reference image whose style the new images should share."));
    paste_->setText(tr("&Paste"));
    paste_->setToolTip(tr("Use the image on the clipboard as the reference."));
    clear_->setText(tr("Clear"));
    clear_->setToolTip(tr("Remove the reference image: the set's first image is then generated from the caption."));
    recaption_->setText(tr("Re-caption"));
    recaption_->setToolTip(tr("Describe the reference again with the model's captioner."));
    captionLabel_->setText(tr("&Caption (what the reference shows, and its style):"));
    caption_->setPlaceholderText(tr("e.g. a house, stained glass style"));
    caption_->setToolTip(tr("The prompt of the reference. Its style words (after the first comma) are added to every new subject."));
    if (examples_->count() > 0) examples_->setItemText(0, tr("Example references…"));
    else examples_->addItem(tr("Example references…"));
    examples_->setToolTip(tr("Reference images that ship with the studio."));
    showSource();
}

void ReferencePane::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

QString ReferencePane::caption() const { return caption_->text().trimmed(); }
void ReferencePane::setCaption(const QString& caption) { caption_->setText(caption); }

void ReferencePane::setExamples(const QStringList& files) {
    while (examples_->count() > 1) examples_->removeItem(1);
    for (const auto& file : files) examples_->addItem(QFileInfo(file).completeBaseName().replace('_', ' '), file);
    examples_->setEnabled(!files.isEmpty());
}

void ReferencePane::setCaptionerAvailable(bool available) {
    captionerAvailable_ = available;
    recaption_->setEnabled(available && !image_.empty());
}

void ReferencePane::setCaptioning(bool busy) {
    recaption_->setEnabled(!busy && captionerAvailable_ && !image_.empty());
    caption_->setPlaceholderText(busy ? tr("Describing the reference…") : tr("e.g. a house, stained glass style"));
}

bool ReferencePane::loadFile(const QString& file) {
    try {
        auto image = readImage(file.toStdString());
        startFolder_ = QFileInfo(file).absolutePath();
        emit folderUsed(startFolder_);
        setImage(image, file);
        return true;
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
        return false;
    }
}

void ReferencePane::setImage(const cv::Mat& image, const QString& label) {
    image_ = image.clone();
    path_ = image.empty() ? QString() : label;
    drop_->setImage(toQImage(image_));
    showSource();
    clear_->setEnabled(!image_.empty());
    recaption_->setEnabled(captionerAvailable_ && !image_.empty());
    emit imageChanged(image_);
    if (!image_.empty() && captionerAvailable_) emit captionRequested(image_);
}

void ReferencePane::showSource() {
    source_->setText(image_.empty() ? tr("No reference image: text mode.")
                                    : tr("%1 (%2×%3)").arg(QFileInfo(path_).fileName()).arg(image_.cols).arg(image_.rows));
}

void ReferencePane::clearImage() { setImage({}, {}); }

void ReferencePane::pasteFromClipboard() {
    const auto* mime = QApplication::clipboard()->mimeData();
    if (mime && mime->hasImage()) {
        setImage(toMat(qvariant_cast<QImage>(mime->imageData())), tr("pasted image"));
    } else if (mime && mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().front().isLocalFile()) {
        loadFile(mime->urls().front().toLocalFile());
    } else {
        emit errorOccurred(tr("The clipboard holds no image. Copy an image (or an image file) first."));
    }
}

void ReferencePane::openFileDialog() {
    const auto file = QFileDialog::getOpenFileName(this, tr("Open reference image"), startFolder_,
                                                   tr("Images (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff)"));
    if (!file.isEmpty()) loadFile(file);
}

}  // namespace sa::ui
