#pragma once
// Every persistent preference of the studio in one typed place, with its default (QSettings
// underneath: ~/.config/StyleAligned/StyleAligned Studio.conf on Linux).
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

namespace sa::ui {

class Settings {
public:
    Settings();
    explicit Settings(const QString& file);  // tests: an isolated INI file

    QString modelFolder() const;  // "" = the bundled demo model
    void setModelFolder(const QString& folder);
    QStringList recentModels() const;
    QString device() const;       // "auto", "cpu", "cuda", "cuda:1"
    void setDevice(const QString& device);

    QString referenceFolder() const;
    void setReferenceFolder(const QString& folder);
    QString exportFolder() const;
    void setExportFolder(const QString& folder);
    QString planFolder() const;
    void setPlanFolder(const QString& folder);

    QByteArray geometry() const;
    void setGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);

    QString planJson() const;  // the last layer plan (LayerPlan::toJson), "" = the preset
    void setPlanJson(const QString& json);
    QString language() const;  // "" = follow the system, "en", "ko"
    void setLanguage(const QString& language);

    int steps() const;
    void setSteps(int steps);
    double guidance() const;
    void setGuidance(double guidance);
    int offset() const;
    void setOffset(int offset);
    QStringList subjects() const;
    void setSubjects(const QStringList& subjects);

private:
    template <typename T>
    T value(const char* key, const T& fallback) const {
        return settings_.value(key, fallback).template value<T>();
    }
    mutable QSettings settings_;
};

}  // namespace sa::ui
