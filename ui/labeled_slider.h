#pragma once
// A horizontal slider over a real range with its value shown beside it.
#include <functional>

#include <QWidget>

class QSlider;
class QLabel;

namespace sa::ui {

class LabeledSlider : public QWidget {
    Q_OBJECT
public:
    LabeledSlider(double minimum, double maximum, double step, QWidget* parent = nullptr);
    double value() const;
    void setValue(double value);   // no valueChanged
    void setMixed(bool mixed);     // a block whose layers differ: shows "mixed"
    QSlider* slider() const { return slider_; }

signals:
    void valueChanged(double value);

private:
    void showValue(double value);
    QSlider* slider_;
    QLabel* label_;
    double minimum_, step_;
};

}  // namespace sa::ui
