#include "ui/subject_list.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace sa::ui {

SubjectList::SubjectList(QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(this);
    list_ = new QListWidget(this);
    list_->setDragDropMode(QAbstractItemView::InternalMove);
    list_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                           QAbstractItemView::SelectedClicked);
    list_->setMinimumHeight(90);
    list_->setMaximumHeight(130);
    add_ = new QToolButton(this);
    remove_ = new QToolButton(this);
    up_ = new QToolButton(this);
    down_ = new QToolButton(this);
    add_->setText("+");
    remove_->setText("−");
    up_->setArrowType(Qt::UpArrow);
    down_->setArrowType(Qt::DownArrow);
    title_->setBuddy(list_);

    auto* buttons = new QHBoxLayout;
    for (auto* b : {add_, remove_, up_, down_}) buttons->addWidget(b);
    buttons->addStretch(1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title_);
    layout->addWidget(list_, 1);
    layout->addLayout(buttons);

    connect(add_, &QToolButton::clicked, this, [this] { addSubject(); });
    connect(remove_, &QToolButton::clicked, this, &SubjectList::removeSelected);
    connect(up_, &QToolButton::clicked, this, [this] { moveSelected(-1); });
    connect(down_, &QToolButton::clicked, this, [this] { moveSelected(1); });
    connect(list_, &QListWidget::itemChanged, this, &SubjectList::changed);
    connect(list_->model(), &QAbstractItemModel::rowsMoved, this, &SubjectList::changed);
    retranslate();
}

void SubjectList::retranslate() {
    title_->setText(tr("New &subjects (one prompt each):"));
    list_->setToolTip(tr("Each line becomes one new image in the reference's style. Double-click to edit, drag to reorder."));
    add_->setToolTip(tr("Add a subject (Ctrl+N)"));
    add_->setShortcut(QKeySequence(tr("Ctrl+N")));
    remove_->setToolTip(tr("Remove the selected subject (Delete)"));
    remove_->setShortcut(QKeySequence::Delete);
    up_->setToolTip(tr("Move the selected subject up"));
    down_->setToolTip(tr("Move the selected subject down"));
}

void SubjectList::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

QStringList SubjectList::subjects() const {
    QStringList out;
    for (int i = 0; i < list_->count(); ++i) {
        const auto text = list_->item(i)->text().trimmed();
        if (!text.isEmpty()) out << text;
    }
    return out;
}

void SubjectList::setSubjects(const QStringList& subjects) {
    const QSignalBlocker block(list_);
    list_->clear();
    for (const auto& s : subjects) {
        auto* item = new QListWidgetItem(s, list_);
        item->setFlags(item->flags() | Qt::ItemIsEditable);
    }
    emit changed();
}

void SubjectList::addSubject(const QString& text) {
    auto* item = new QListWidgetItem(text.isEmpty() ? tr("a new subject") : text, list_);
    item->setFlags(item->flags() | Qt::ItemIsEditable);
    list_->setCurrentItem(item);
    if (text.isEmpty()) list_->editItem(item);
    emit changed();
}

void SubjectList::removeSelected() {
    delete list_->currentItem();
    emit changed();
}

void SubjectList::moveSelected(int delta) {
    const int row = list_->currentRow();
    const int target = row + delta;
    if (row < 0 || target < 0 || target >= list_->count()) return;
    auto* item = list_->takeItem(row);
    list_->insertItem(target, item);
    list_->setCurrentRow(target);
    emit changed();
}

}  // namespace sa::ui
