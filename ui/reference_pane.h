#pragma once
// The reference: an image dropped, opened, pasted or picked from the examples, and its caption
// (filled by the captioner, editable) in two parts: what the reference shows, and the style words
// that are appended to every new subject (splitCaption). Without an image the caption describes a
// reference that is generated from text (image 0 of the set).
#include <QWidget>
#include <opencv2/core.hpp>

class QLabel;
class QLineEdit;
class QPushButton;
class QComboBox;

namespace sa::ui {

class DropArea;

class ReferencePane : public QWidget {
    Q_OBJECT
public:
    explicit ReferencePane(QWidget* parent = nullptr);

    cv::Mat image() const { return image_; }
    QString imagePath() const { return path_; }
    // The reference's prompt (the inversion's): joinCaption of the two fields, "subject, style".
    QString caption() const;
    // Split into the two fields with splitCaption (as typed or opened: no captioner named).
    void setCaption(const QString& caption);
    QString subject() const;     // what the reference shows
    QString styleWords() const;  // appended to every new subject
    // Who wrote the caption last set ("" = typed or opened), shown beside it (", edited" once
    // changed); `detail` (the captioner's folder) in its tooltip.
    void setCaptionSource(const QString& source, const QString& detail = {});
    // What the label beside "Caption" says in full: "captioning…", "by BLIP", "by BLIP, edited", "".
    QString captionStatus() const { return captionStatusText_; }
    void setExamples(const QStringList& files);
    void setCaptionerAvailable(bool available);
    void setCaptioning(bool busy);
    void setStartFolder(const QString& folder) { startFolder_ = folder; }

public slots:
    bool loadFile(const QString& file);  // false (and errorOccurred) for a file that is not an image
    void setImage(const cv::Mat& image, const QString& label);
    void clearImage();
    void pasteFromClipboard();
    void openFileDialog();

signals:
    void imageChanged(const cv::Mat& image);  // empty: text mode
    void captionRequested(const cv::Mat& image);
    void errorOccurred(const QString& message);
    void folderUsed(const QString& folder);

private:
    void retranslate();
    void showSource();
    void showCaptionStatus();
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

    DropArea* drop_;
    QComboBox* examples_;
    QPushButton *open_, *paste_, *clear_, *recaption_;
    QLineEdit *subject_, *style_;
    QLabel *captionLabel_, *captionStatus_, *subjectLabel_, *styleLabel_, *styleHint_, *source_;
    QString captionSource_, captionSourceDetail_, captionStatusText_;
    bool captioning_ = false;
    bool captionEdited_ = false;  // the artist changed the captioner's words
    cv::Mat image_;
    QString path_;
    QString startFolder_;
    bool captionerAvailable_ = false;
};

}  // namespace sa::ui
