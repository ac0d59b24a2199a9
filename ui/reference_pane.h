#pragma once
// The reference: an image dropped, opened, pasted or picked from the examples, and its caption
// (filled by the model's captioner, editable). Without an image the caption describes a
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
    QString caption() const;
    void setCaption(const QString& caption);
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
    void changeEvent(QEvent* event) override;

    DropArea* drop_;
    QComboBox* examples_;
    QPushButton *open_, *paste_, *clear_, *recaption_;
    QLineEdit* caption_;
    QLabel *captionLabel_, *source_;
    cv::Mat image_;
    QString path_;
    QString startFolder_;
    bool captionerAvailable_ = false;
};

}  // namespace sa::ui
