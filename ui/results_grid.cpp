#include "ui/results_grid.h"

#include <QContextMenuEvent>
#include <QGridLayout>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPointer>

namespace sa::ui {

ImageTile::ImageTile(int index, QWidget* parent) : QWidget(parent), index_(index) {
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setMinimumSize(120, 150);
    setCursor(Qt::CrossCursor);
}

void ImageTile::setImage(const QImage& image, bool final) {
    image_ = image;
    final_ = final;
    if (!image.isNull()) aspect_ = double(image.width()) / image.height();
    update();
}

void ImageTile::setAspect(double aspect) {
    aspect_ = aspect > 0 ? aspect : 1.0;
    update();
}

void ImageTile::setOverlay(const QImage& overlay, double opacity) {
    overlay_ = overlay;
    opacity_ = opacity;
    update();
}

void ImageTile::setMarker(std::optional<QPointF> point) {
    marker_ = point;
    update();
}

void ImageTile::setTitle(const QString& title, const QString& tooltip) {
    title_ = title;
    setToolTip(tooltip);
    update();
}

void ImageTile::setBadge(const QString& badge, bool good) {
    badge_ = badge;
    badgeGood_ = good;
    update();
}

void ImageTile::setSelected(bool selected) {
    selected_ = selected;
    update();
}

QRect ImageTile::imageRect() const {
    // The largest rectangle of the tile's aspect above the title line, centred.
    const double w = width() - 8, h = height() - 34;
    const int iw = static_cast<int>(std::min(w, h * aspect_)), ih = static_cast<int>(std::min(h, w / aspect_));
    return {(width() - iw) / 2, 4, iw, ih};
}

void ImageTile::paintEvent(QPaintEvent*) {
    QPainter p(this);
    const QRect area = imageRect();
    p.fillRect(area, palette().base());
    if (!image_.isNull()) {
        // Small model outputs are upscaled a lot: smooth scaling keeps them readable.
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        p.drawImage(area, image_);
        if (!overlay_.isNull()) {
            p.setOpacity(opacity_);
            p.drawImage(area, overlay_);
            p.setOpacity(1.0);
        }
    } else {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(area, Qt::AlignCenter, tr("waiting…"));
    }
    if (!final_ && !image_.isNull()) {  // a live preview: dashed frame
        QPen pen(palette().color(QPalette::Highlight));
        pen.setStyle(Qt::DashLine);
        p.setPen(pen);
        p.drawRect(area.adjusted(0, 0, -1, -1));
    }
    if (selected_) {
        QPen pen(palette().color(QPalette::Highlight), 3);
        p.setPen(pen);
        p.drawRect(area.adjusted(1, 1, -2, -2));
    }
    if (marker_) {
        const QPointF c(area.left() + marker_->x() * area.width(), area.top() + marker_->y() * area.height());
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(Qt::black, 3));
        p.drawEllipse(c, 6, 6);
        p.setPen(QPen(Qt::white, 1.5));
        p.drawEllipse(c, 6, 6);
    }
    const QRect text(0, area.bottom() + 4, width(), height() - area.bottom() - 4);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(text, Qt::AlignHCenter | Qt::AlignTop | Qt::TextSingleLine,
               p.fontMetrics().elidedText(title_, Qt::ElideRight, width() - 8));
    if (!badge_.isEmpty()) {
        const QRect box(area.right() - p.fontMetrics().horizontalAdvance(badge_) - 12, area.top() + 4,
                        p.fontMetrics().horizontalAdvance(badge_) + 8, p.fontMetrics().height() + 2);
        p.fillRect(box, badgeGood_ ? QColor(30, 120, 60, 200) : QColor(150, 40, 40, 200));
        p.setPen(Qt::white);
        p.drawText(box, Qt::AlignCenter, badge_);
    }
}

void ImageTile::mousePressEvent(QMouseEvent* event) {
    const QRect area = imageRect();
    if (event->button() != Qt::LeftButton || !area.contains(event->pos())) return QWidget::mousePressEvent(event);
    if (event->modifiers() & Qt::ControlModifier) {
        setSelected(!selected_);
        return;
    }
    emit pointPicked(index_, QPointF(double(event->pos().x() - area.left()) / area.width(),
                                     double(event->pos().y() - area.top()) / area.height()));
}

void ImageTile::mouseDoubleClickEvent(QMouseEvent* event) {
    if (imageRect().contains(event->pos()) && !image_.isNull()) emit actionRequested(index_, TileAction::Enlarge);
}

void ImageTile::contextMenuEvent(QContextMenuEvent* event) {
    // The chosen action is emitted after the menu has closed: an action may start a run that
    // replaces this very tile.
    QMenu menu;
    auto add = [&](const QString& text, TileAction action, bool enabled) {
        auto* a = menu.addAction(text);
        a->setData(static_cast<int>(action));
        a->setEnabled(enabled);
    };
    add(tr("Enlarge"), TileAction::Enlarge, !image_.isNull());
    if (index_ > 0) add(tr("Re-roll this seed"), TileAction::Reroll, final_);
    add(tr("Use as reference"), TileAction::UseAsReference, final_);
    add(tr("Save image…"), TileAction::Save, final_);
    menu.addSeparator();
    auto* select = menu.addAction(selected_ ? tr("Deselect for export") : tr("Select for export (Ctrl+click)"));
    QPointer<ImageTile> self(this);
    auto* chosen = menu.exec(event->globalPos());
    if (!self || !chosen) return;
    if (chosen == select) return setSelected(!selected_);
    emit actionRequested(index_, static_cast<TileAction>(chosen->data().toInt()));
}

ResultsGrid::ResultsGrid(QWidget* parent) : QWidget(parent) {
    layout_ = new QGridLayout(this);
    layout_->setSpacing(8);
}

void ResultsGrid::paintEvent(QPaintEvent*) {
    if (!tiles_.empty()) return;
    QPainter p(this);
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect().adjusted(40, 40, -40, -40), Qt::AlignCenter | Qt::TextWordWrap,
               tr("The set appears here: the reference first, then one image per new subject, all in the reference's "
                  "style.\n\nPress Generate (Ctrl+Enter)."));
}

void ResultsGrid::reset(const QStringList& titles, const QStringList& tooltips, const QList<double>& aspects) {
    bool reshaped = false;
    if (static_cast<int>(tiles_.size()) != titles.size()) {
        for (auto* t : tiles_) {  // later: a tile may be handling the event that led here
            layout_->removeWidget(t);
            t->hide();
            t->deleteLater();
        }
        tiles_.clear();
        columns_ = 0;
        for (int i = 0; i < titles.size(); ++i) {
            auto* tile = new ImageTile(i, this);
            connect(tile, &ImageTile::pointPicked, this, &ResultsGrid::pointPicked);
            connect(tile, &ImageTile::actionRequested, this, &ResultsGrid::actionRequested);
            tiles_.push_back(tile);
        }
        relayout();
    }
    for (int i = 0; i < titles.size(); ++i) {
        auto* tile = tiles_[static_cast<size_t>(i)];
        tile->setTitle(titles[i], tooltips.value(i));
        tile->setOverlay({}, 0);
        tile->setBadge({}, true);
        if (tile->aspect() != aspects.value(i, 1.0)) {
            reshaped = true;
            tile->setImage({}, false);  // the last set's image would be stretched to the new shape
        }
        tile->setAspect(aspects.value(i, 1.0));
    }
    if (reshaped) {
        columns_ = 0;  // the best number of columns depends on the tiles' shapes
        relayout();
    }
}

QList<int> ResultsGrid::selectedIndices() const {
    QList<int> out;
    for (auto* t : tiles_)
        if (t->isSelected()) out << t->index();
    return out;
}

void ResultsGrid::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    relayout();
}

void ResultsGrid::relayout() {
    if (tiles_.empty()) return;
    // The number of columns that gives the largest images in the space available, for the widest
    // tile's shape (square sets: the largest squares; panoramas: one per row).
    const int n = static_cast<int>(tiles_.size());
    double aspect = 0;
    for (const auto* t : tiles_) aspect = std::max(aspect, t->aspect());
    int columns = 1;
    double best = 0;
    for (int c = 1; c <= n; ++c) {
        const int rows = (n + c - 1) / c;
        const double imageHeight = std::min((width() - 8.0 * c) / c / aspect, (height() - 8.0 * rows) / rows - 30);
        if (imageHeight > best) best = imageHeight, columns = c;
    }
    if (columns == columns_ && layout_->count() == n) return;
    columns_ = columns;
    for (auto* t : tiles_) layout_->removeWidget(t);
    for (size_t i = 0; i < tiles_.size(); ++i)
        layout_->addWidget(tiles_[i], static_cast<int>(i) / columns, static_cast<int>(i) % columns);
}

}  // namespace sa::ui
