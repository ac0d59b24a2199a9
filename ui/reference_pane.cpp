#include "ui/reference_pane.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/io/image.h"
#include "core/pipeline/set_request.h"
#include "ui/checkpoint_options.h"
#include "ui/image_convert.h"

namespace sa::ui {

// A square that shows the reference and accepts dropped image files (or image data).
class DropArea : public QWidget {
public:
    explicit DropArea(ReferencePane* pane) : QWidget(pane), pane_(pane) {
        setAcceptDrops(true);
        setMinimumSize(200, 160);
        setMaximumHeight(190);
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
    recaption_->setObjectName("recaption");
    subject_ = new QLineEdit(this);
    subject_->setObjectName("captionSubject");
    style_ = new QLineEdit(this);
    style_->setObjectName("captionStyle");
    captionLabel_ = new QLabel(this);
    captionStatus_ = new QLabel(this);
    captionStatus_->setObjectName("captionStatus");
    // "captioning…" and who captioned come and go: they never widen the pane.
    captionStatus_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    captionStatus_->setStyleSheet("color: palette(mid);");
    captionStatus_->installEventFilter(this);  // re-elided when its room changes
    subjectLabel_ = new QLabel(this);
    styleLabel_ = new QLabel(this);
    styleHint_ = new QLabel(this);
    styleHint_->setWordWrap(true);
    styleHint_->setStyleSheet("color: palette(mid);");
    source_ = new QLabel(this);
    source_->setWordWrap(true);
    source_->setStyleSheet("color: palette(mid);");
    subjectLabel_->setBuddy(subject_);
    styleLabel_->setBuddy(style_);
    for (auto* field : {subject_, style_}) {
        field->setClearButtonEnabled(true);
        connect(field, &QLineEdit::textEdited, this, [this] {
            captionEdited_ = true;
            showCaptionStatus();
        });
    }
    QFont bold = captionLabel_->font();
    bold.setBold(true);
    captionLabel_->setFont(bold);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(open_);
    buttons->addWidget(paste_);
    buttons->addWidget(clear_);
    auto* captionRow = new QHBoxLayout;
    captionRow->addWidget(captionLabel_);
    captionRow->addWidget(captionStatus_, 1);
    captionRow->addWidget(recaption_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(drop_, 1);
    layout->addWidget(source_);
    layout->addLayout(buttons);
    layout->addWidget(examples_);
    layout->addLayout(captionRow);
    auto* fields = new QFormLayout;
    fields->addRow(subjectLabel_, subject_);
    fields->addRow(styleLabel_, style_);
    fields->addRow(styleHint_);
    layout->addLayout(fields);

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
    recaption_->setToolTip(tr("Caption the reference again (the demo model's judge, or the BLIP captioner of Settings ▸ Models)."));
    captionLabel_->setText(tr("Caption"));
    captionLabel_->setToolTip(tr("The prompt of the reference (its DDIM inversion uses it): what it shows, then its style words."));
    subjectLabel_->setText(tr("&Shows:"));
    subject_->setPlaceholderText(tr("e.g. a house"));
    subject_->setToolTip(tr("What the reference shows: its own subject. Only the reference's prompt uses it."));
    styleLabel_->setText(tr("St&yle:"));
    styleHint_->setText(tr("Style words are added to every new subject."));
    style_->setPlaceholderText(tr("e.g. stained glass style"));
    style_->setToolTip(tr("Appended to every new subject's prompt: \"a cat\" becomes \"a cat, <style words>.\" "
                          "Leave empty to send the subjects as typed."));
    if (examples_->count() > 0) examples_->setItemText(0, tr("Example references…"));
    else examples_->addItem(tr("Example references…"));
    examples_->setToolTip(tr("Reference images that ship with the studio."));
    showSource();
    showCaptionStatus();
}

void ReferencePane::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

QString ReferencePane::caption() const {
    return QString::fromStdString(joinCaption({subject().toStdString(), styleWords().toStdString()}));
}
void ReferencePane::setCaption(const QString& caption) {
    const auto parts = splitCaption(caption.toStdString());
    subject_->setText(QString::fromStdString(parts.subject));
    style_->setText(QString::fromStdString(parts.style));
    for (auto* field : {subject_, style_}) field->setCursorPosition(0);  // a long caption shows its start
    captionEdited_ = false;
    captionSource_.clear();  // the captioner's caption names it next (setCaptionSource)
    showCaptionStatus();
}
QString ReferencePane::subject() const { return subject_->text().trimmed(); }
QString ReferencePane::styleWords() const { return style_->text().trimmed(); }

void ReferencePane::setCaptionSource(const QString& source, const QString& detail) {
    captionSource_ = source;
    captionSourceDetail_ = detail;
    showCaptionStatus();
}

void ReferencePane::showCaptionStatus() {
    captionStatusText_ = captioning_                ? tr("captioning…")
                         : captionSource_.isEmpty() ? QString()
                         : captionEdited_           ? tr("by %1, edited").arg(captionSource_)
                                                    : tr("by %1").arg(captionSource_);
    captionStatus_->setToolTip(captionSourceDetail_.isEmpty() || captioning_ ? captionStatusText_
                                                                             : captionStatusText_ + "\n" + captionSourceDetail_);
    // Elided to the room the row leaves it (the label never widens the pane).
    captionStatus_->setText(captionStatus_->fontMetrics().elidedText(captionStatusText_, Qt::ElideRight, captionStatus_->width()));
}

bool ReferencePane::eventFilter(QObject* watched, QEvent* event) {
    if (watched == captionStatus_ && event->type() == QEvent::Resize) showCaptionStatus();
    return QWidget::eventFilter(watched, event);
}

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
    captioning_ = busy;
    recaption_->setEnabled(!busy && captionerAvailable_ && !image_.empty());
    showCaptionStatus();
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
