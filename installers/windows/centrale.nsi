; Centrale desktop: per-machine Windows installer (NSIS 3, Unicode, Modern UI 2, in French).
;
; makensis /DBUNDLE_DIR=<dist\centrale> /DVERSION=0.1.0 /DOUTFILE=<Centrale-0.1.0-setup.exe> centrale.nsi
;   BUNDLE_DIR  the PyInstaller one-folder bundle (centrale.exe + _internal\)
;   VERSION     x.y.z (the project's version)
;   OUTFILE     default: Centrale-<VERSION>-setup.exe next to this script
;
; Installs into "C:\Program Files\Centrale" for every user (administrator rights), a Start-menu
; entry for every user, an uninstaller registered in « Applications et fonctionnalités ». The
; operators' own data (%LOCALAPPDATA%\centrale: settings, drafts, outbox, call log) is never touched
; by an upgrade or by the uninstaller; the new version migrates its local store when it opens it.

Unicode true
SetCompressor /SOLID lzma

!ifndef BUNDLE_DIR
  !error "BUNDLE_DIR manquant : makensis /DBUNDLE_DIR=dist\centrale /DVERSION=x.y.z centrale.nsi"
!endif
!ifndef VERSION
  !error "VERSION manquant : makensis /DBUNDLE_DIR=dist\centrale /DVERSION=x.y.z centrale.nsi"
!endif
!ifndef OUTFILE
  !define OUTFILE "Centrale-${VERSION}-setup.exe"
!endif

!define APP_NAME "Centrale"
!define PUBLISHER "Équipe Centrale"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Centrale"

!include "MUI2.nsh"
!include "x64.nsh"
!include "FileFunc.nsh"

Name "${APP_NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_NAME}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel admin
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1036 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=1036 "FileDescription" "Installation du poste opérateur Centrale"
VIAddVersionKey /LANG=1036 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1036 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1036 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1036 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "..\icons\centrale.ico"
!define MUI_UNICON "..\icons\centrale.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\centrale.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Lancer Centrale"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "French"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Centrale nécessite Windows 64 bits."
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Centrale" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the whole bundle: no stale module of the previous version stays behind.
  RMDir /r "$INSTDIR\_internal"
  File /r "${BUNDLE_DIR}\*.*"
  WriteUninstaller "$INSTDIR\Désinstaller Centrale.exe"

  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\centrale.exe" "" "$INSTDIR\centrale.exe" 0
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\Désinstaller ${APP_NAME}.lnk" "$INSTDIR\Désinstaller Centrale.exe"

  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\centrale.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Désinstaller Centrale.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Désinstaller Centrale.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  ; Only what the installer put there: never a recursive delete of a folder the user may have chosen.
  Delete "$INSTDIR\centrale.exe"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\Désinstaller Centrale.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk"
  Delete "$SMPROGRAMS\${APP_NAME}\Désinstaller ${APP_NAME}.lnk"
  RMDir "$SMPROGRAMS\${APP_NAME}"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
