; Inno Setup script: the Windows installer for the PyInstaller one-folder build.
; Built on Windows (not on the Linux CI), see packaging/README.md:
;   pyinstaller --noconfirm packaging\merchant-pos.spec
;   iscc /DAppVersion=0.1.0 packaging\windows\merchant-pos.iss
; -> dist\merchant-pos-0.1.0-windows-setup.exe
;
; Per-user install (no administrator needed) into %LOCALAPPDATA%\Programs\merchant-pos.
; The counter's data (ledger, logs, credentials) lives elsewhere, in the per-user data
; folder %LOCALAPPDATA%\merchant-pos (platformdirs): installing a new version over an
; old one, or uninstalling, never touches it. The ledger migrates itself at the first
; start of a new version, after taking a backup copy.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
; Keep this AppId for every version: it is what makes a new installer an upgrade.
AppId={{6F0B3C1E-5B7A-4C8E-9A61-3D2C7E4B9F10}
AppName=Merchant POS
AppVerName=Merchant POS {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=merchant-pos
DefaultDirName={localappdata}\Programs\merchant-pos
DefaultGroupName=Merchant POS
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
OutputDir=..\..\dist
OutputBaseFilename=merchant-pos-{#AppVersion}-windows-setup
SetupIconFile=merchant-pos.ico
UninstallDisplayIcon={app}\merchant-pos-gui.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
CloseApplications=yes

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; The whole PyInstaller folder. Old files of a previous version are removed first
; ([InstallDelete]) so no stale library is left beside the new ones.
Source: "..\..\dist\merchant-pos\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\Merchant POS"; Filename: "{app}\merchant-pos-gui.exe"; WorkingDir: "{app}"
Name: "{group}\Merchant POS self-test"; Filename: "{cmd}"; Parameters: "/k ""{app}\merchant-pos.exe"" self-test"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,Merchant POS}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\Merchant POS"; Filename: "{app}\merchant-pos-gui.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\merchant-pos.exe"; Parameters: "self-test"; Flags: runhidden waituntilterminated; StatusMsg: "Self-test..."
Filename: "{app}\merchant-pos-gui.exe"; Description: "{cm:LaunchProgram,Merchant POS}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] of the data folder: the ledger holds redemptions that may not
; have reached the server yet. A supporter removes %LOCALAPPDATA%\merchant-pos by hand.
