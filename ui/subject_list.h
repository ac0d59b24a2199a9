#pragma once
// The new subjects of the set: one prompt each, added, removed, edited in place and reordered.
#include <QWidget>

class QListWidget;
class QToolButton;
class QLabel;

namespace sa::ui {

class SubjectList : public QWidget {
    Q_OBJECT
public:
    explicit SubjectList(QWidget* parent = nullptr);
    QStringList subjects() const;  // non-empty prompts, in order
    void setSubjects(const QStringList& subjects);

public slots:
    void addSubject(const QString& text = {});
    void removeSelected();
    void moveSelected(int delta);

signals:
    void changed();

private:
    void retranslate();
    void changeEvent(QEvent* event) override;
    QListWidget* list_;
    QToolButton *add_, *remove_, *up_, *down_;
    QLabel* title_;
};

}  // namespace sa::ui
