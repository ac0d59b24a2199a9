#pragma once
// The set: the reference and the new images as tiles, filled live with previews, then the
// final images. A tile draws an attention overlay and the chosen query point, and offers the
// per-image actions (enlarge, re-roll this seed, use as reference, save).
#include <optional>

#include <QWidget>

class QGridLayout;

namespace sa::ui {

enum class TileAction { Enlarge, Reroll, UseAsReference, Save };

class ImageTile : public QWidget {
    Q_OBJECT
public:
    ImageTile(int index, QWidget* parent = nullptr);
    int index() const { return index_; }
    void setImage(const QImage& image, bool final);  // its shape becomes the tile's aspect
    // Width ÷ height of what the tile shows (1 = square; a panorama's is wide), before an image came.
    double aspect() const { return aspect_; }
    void setAspect(double aspect);
    const QImage& image() const { return image_; }
    const QImage& overlayImage() const { return overlay_; }
    bool isFinal() const { return final_; }
    void setOverlay(const QImage& overlay, double opacity);
    void setMarker(std::optional<QPointF> point);  // normalized coordinates
    void setTitle(const QString& title, const QString& tooltip);
    void setBadge(const QString& badge, bool good);
    bool isSelected() const { return selected_; }
    void setSelected(bool selected);
    QRect imageRect() const;

signals:
    void pointPicked(int index, QPointF point);
    void actionRequested(int index, sa::ui::TileAction action);

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    QSize sizeHint() const override { return {220, 250}; }

private:
    int index_;
    QImage image_, overlay_;
    double opacity_ = 0.6;
    double aspect_ = 1.0;
    bool final_ = false, selected_ = false, badgeGood_ = true;
    std::optional<QPointF> marker_;
    QString title_, badge_;
};

class ResultsGrid : public QWidget {
    Q_OBJECT
public:
    explicit ResultsGrid(QWidget* parent = nullptr);
    // Tile 0 = reference. `aspects`: width ÷ height per tile (missing: square), so that wide
    // panoramas get wide tiles before their first preview.
    void reset(const QStringList& titles, const QStringList& tooltips, const QList<double>& aspects = {});
    int count() const { return static_cast<int>(tiles_.size()); }
    ImageTile* tile(int index) const { return tiles_.at(static_cast<size_t>(index)); }
    QList<int> selectedIndices() const;

signals:
    void pointPicked(int index, QPointF point);
    void actionRequested(int index, sa::ui::TileAction action);

protected:
    void resizeEvent(QResizeEvent* event) override;
    void paintEvent(QPaintEvent* event) override;

private:
    void relayout();
    QGridLayout* layout_;
    std::vector<ImageTile*> tiles_;
    int columns_ = 0;
};

}  // namespace sa::ui
