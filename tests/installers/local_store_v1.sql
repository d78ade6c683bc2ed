-- A local store written by Centrale 0.1.0 at schema version 1 (desktop/store/schema.py of commit
-- b9d303f), with one unfinished wizard: what an upgraded desktop finds in the user's data directory.
BEGIN TRANSACTION;
CREATE TABLE cache (
	"key" VARCHAR(200) NOT NULL, 
	value TEXT NOT NULL, 
	stored_at VARCHAR(40) NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE drafts (
	id VARCHAR(36) NOT NULL, 
	entry VARCHAR(20) NOT NULL, 
	step INTEGER NOT NULL, 
	updated_at VARCHAR(40) NOT NULL, 
	data TEXT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "drafts" VALUES('00a9237e-1fd6-40ad-aafc-219c104b7a7e','dashboard',0,'2026-11-27T10:00:00+00:00','{"version": 1, "draft_id": "00a9237e-1fd6-40ad-aafc-219c104b7a7e", "entry": "dashboard", "step": 0, "caller": {"call_phone": "", "service": "Plateforme Centrale", "caller_name": "Opérateur Démo", "caller_profession": "", "caller_phone": "", "direct_line": "", "caller_rpps": "", "caller_user_id": "2", "requester_is_caller": true, "requester_name": "", "requester_rpps": "", "requester_user_id": "", "requester_profession_code": ""}, "search": {"phone": "", "last_name": "", "first_name": "", "birth_date": "", "results": [], "truncated": false, "selected_patient_id": null, "new_patient": false, "card_nir": ""}, "patient": {"patient_id": null, "version": null, "original": {}, "phone": "", "phone2": "", "email": "", "last_name": "", "first_name": "", "birth_last_name": "", "birth_first_names": "", "sex": "", "birth_date": "", "birth_place_insee": "", "birth_place_name": "", "nir": "", "ins_oid": "", "identity_status": "provisional", "occupation": "", "insurance_scheme": "", "territory": "metropole", "address_line": "", "address_complement": "", "building": "", "staircase": "", "floor": "", "digicode": "", "intercom": "", "door": "", "postal_code": "", "city": "", "commune_insee": "", "latitude": "", "longitude": "", "acknowledge_duplicates": false, "notices": {}}, "usual": {"chosen": {}, "loaded": {}, "search_profession": "10", "search_last_name": "", "search_first_name": "", "results": [], "others": []}, "prescriptions": [{"profession_code": "", "network_id": "", "care_type": "", "care_mode": "", "intervention_date": "", "intervention_time": "", "intervention_tz": "Europe/Paris", "intervention_delay_minutes": "", "days": "1", "visits_per_day": "1", "response_delay_minutes": "", "comment": ""}], "call_record_id": "", "errors": {}, "copied_traits": {}}');
CREATE TABLE feed_position (
	stream VARCHAR(50) NOT NULL, 
	seq INTEGER NOT NULL, 
	PRIMARY KEY (stream)
);
CREATE TABLE meta (
	"key" VARCHAR(50) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "meta" VALUES('schema_version','1');
CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	idempotency_key VARCHAR(36) NOT NULL, 
	draft_id VARCHAR(36), 
	created_at VARCHAR(40) NOT NULL, 
	updated_at VARCHAR(40) NOT NULL, 
	state VARCHAR(10) NOT NULL, 
	reason TEXT, 
	attempts INTEGER NOT NULL, 
	next_attempt_at VARCHAR(40), 
	patient_id INTEGER, 
	patient_create TEXT, 
	patient_patch TEXT, 
	patient_patch_done BOOLEAN NOT NULL, 
	usual_professionals TEXT, 
	usual_done BOOLEAN NOT NULL, 
	case_body TEXT NOT NULL, 
	call_record_id VARCHAR(36), 
	result TEXT, 
	acknowledged BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (idempotency_key)
);
COMMIT;
