#include "ui/labeled_slider.h"

#include <cmath>

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>

namespace sa::ui {

LabeledSlider::LabeledSlider(double minimum, double maximum, double step, QWidget* parent)
    : QWidget(parent), minimum_(minimum), step_(step) {
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setRange(0, static_cast<int>(std::lround((maximum - minimum) / step)));
    label_ = new QLabel(this);
    label_->setMinimumWidth(label_->fontMetrics().horizontalAdvance("mixed00"));
    label_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(slider_, 1);
    layout->addWidget(label_);
    connect(slider_, &QSlider::valueChanged, this, [this](int) {
        showValue(value());
        emit valueChanged(value());
    });
}

double LabeledSlider::value() const { return minimum_ + slider_->value() * step_; }

void LabeledSlider::setValue(double value) {
    const QSignalBlocker block(slider_);
    slider_->setValue(static_cast<int>(std::lround((value - minimum_) / step_)));
    showValue(this->value());
}

void LabeledSlider::setMixed(bool mixed) {
    if (mixed) label_->setText(tr("mixed"));
}

void LabeledSlider::showValue(double value) { label_->setText(QString::number(value, 'f', 2)); }

}  // namespace sa::ui
